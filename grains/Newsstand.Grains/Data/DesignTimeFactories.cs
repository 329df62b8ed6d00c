using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Newsstand.Data;

// Used only by `dotnet ef migrations add`: neither opens a connection.
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteNewsstandDbContext>
{
    public SqliteNewsstandDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteNewsstandDbContext>().UseSqlite("Data Source=design.db").Options);
}

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresNewsstandDbContext>
{
    public PostgresNewsstandDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresNewsstandDbContext>().UseNpgsql("Host=localhost;Database=design").Options);
}
