using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Newsstand.Data;

/// <summary>
/// The configured database. Grains run each operation through <see cref="RunAsync"/>, which gives it a
/// fresh context and keeps blocking I/O off grain turns: PostgreSQL (Npgsql) is truly asynchronous and
/// runs in place; SQLite runs on its own I/O thread.
/// </summary>
internal sealed class NewsstandDb : IDisposable
{
    public const string SqliteThreadName = "sqlite-io";

    private readonly Func<NewsstandDbContext> _create;
    private readonly DedicatedThreadScheduler? _sqliteThread;

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
            _sqliteThread = new DedicatedThreadScheduler(SqliteThreadName);
            Provider = "SQLite";
        }
    }

    public string Provider { get; }

    /// <summary>A context for work outside grain turns (migrations at start, tests).</summary>
    public NewsstandDbContext CreateContext() => _create();

    /// <summary>Runs <paramref name="work"/> with a fresh context, where its I/O cannot block a grain turn.</summary>
    public Task<T> RunAsync<T>(Func<NewsstandDbContext, Task<T>> work) =>
        _sqliteThread is null
            ? RunHereAsync(work)
            : Task.Factory.StartNew(() => RunHereAsync(work), CancellationToken.None, TaskCreationOptions.None, _sqliteThread).Unwrap();

    public void Dispose() => _sqliteThread?.Dispose();

    private async Task<T> RunHereAsync<T>(Func<NewsstandDbContext, Task<T>> work)
    {
        await using var context = _create();
        return await work(context);
    }
}
