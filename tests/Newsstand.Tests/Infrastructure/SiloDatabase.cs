using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Newsstand.Data;

namespace Newsstand.Tests.Infrastructure;

/// <summary>
/// The database of a silo process under test and the test's own way into it: the settings that point the silo at it,
/// and a context that reads it directly (to check what was stored after a SIGKILL). Removed when disposed.
/// </summary>
internal abstract class SiloDatabase : IAsyncDisposable
{
    /// <summary>Creates the database; answers the silo's settings (environment variables) for it.</summary>
    public abstract Task<Dictionary<string, string>> CreateAsync();

    public abstract NewsstandDbContext Open();

    public abstract ValueTask DisposeAsync();
}

/// <summary>A fresh data directory; the silo makes its SQLite file there.</summary>
internal sealed class SqliteSiloDatabase(string prefix) : SiloDatabase
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), prefix + Guid.NewGuid().ToString("N"));

    public string File => Path.Combine(_directory, "newsstand.db");

    public override Task<Dictionary<string, string>> CreateAsync() =>
        Task.FromResult(new Dictionary<string, string> { ["Database__DataDirectory"] = _directory });

    public override NewsstandDbContext Open() => new SqliteNewsstandDbContext(new DbContextOptionsBuilder<SqliteNewsstandDbContext>()
        .UseSqlite($"Data Source={File};Pooling=False").Options);

    public override ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
        return ValueTask.CompletedTask;
    }
}

/// <summary>A scratch database on the test PostgreSQL server.</summary>
internal sealed class PostgresSiloDatabase(string prefix) : SiloDatabase
{
    private ScratchDatabase? _database;

    public string Connection => _database!.ConnectionString;

    public override async Task<Dictionary<string, string>> CreateAsync()
    {
        _database = await ScratchDatabase.CreateAsync(prefix);
        return new Dictionary<string, string> { ["Database__Postgres"] = Connection, ["Database__DataDirectory"] = Path.GetTempPath() };
    }

    public override NewsstandDbContext Open() =>
        new PostgresNewsstandDbContext(new DbContextOptionsBuilder<PostgresNewsstandDbContext>().UseNpgsql(Connection).Options);

    public override async ValueTask DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }
}
