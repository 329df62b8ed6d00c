using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Newsstand.Data;

/// <summary>Creates a context for the configured provider; grains open one per operation.</summary>
internal sealed class NewsstandDb
{
    private readonly Func<NewsstandDbContext> _create;

    public NewsstandDb(IOptions<DatabaseOptions> options)
    {
        var settings = options.Value;
        if (settings.UsesPostgres)
        {
            var postgres = new DbContextOptionsBuilder<PostgresNewsstandDbContext>()
                .UseNpgsql(settings.Postgres)
                .UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking)
                .Options;
            _create = () => new PostgresNewsstandDbContext(postgres);
            Provider = "PostgreSQL";
        }
        else
        {
            Directory.CreateDirectory(Path.GetDirectoryName(settings.SqliteFile)!);
            var connection = new SqliteConnectionStringBuilder
            {
                DataSource = settings.SqliteFile,
                ForeignKeys = true,
                Pooling = true,
                DefaultTimeout = 30,
            }.ToString();
            var sqlite = new DbContextOptionsBuilder<SqliteNewsstandDbContext>()
                .UseSqlite(connection)
                .UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking)
                .Options;
            _create = () => new SqliteNewsstandDbContext(sqlite);
            Provider = "SQLite";
        }
    }

    public string Provider { get; }

    public NewsstandDbContext CreateContext() => _create();
}
