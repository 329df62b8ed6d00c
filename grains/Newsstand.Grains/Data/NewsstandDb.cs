using System.Diagnostics.Metrics;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Newsstand.Errors;
using Npgsql;

namespace Newsstand.Data;

/// <summary>
/// The configured database, kept off grain turns. Reads run through <see cref="ReadAsync"/> with a fresh
/// context; writes go through the <see cref="GroupCommitWriter"/>. PostgreSQL (Npgsql) is truly
/// asynchronous and runs in place; Microsoft.Data.Sqlite's async methods block, so SQLite reads run on
/// one dedicated thread and the writer on another (WAL lets readers and the writer work side by side).
/// Contexts come from a pool: a group commit or a chunk load does not pay for setting one up.
/// </summary>
internal sealed class NewsstandDb : IAsyncDisposable
{
    public const string SqliteReadThreadName = "sqlite-read";
    public const string SqliteWriteThreadName = "sqlite-write";
    public const string MeterName = "Newsstand.Storage";

    /// <summary>Statements each PostgreSQL connection keeps prepared (Npgsql's Max Auto Prepare) unless its connection string sets it.</summary>
    public const int AutoPreparedStatements = 100;

    private readonly Func<NewsstandDbContext> _create;
    private readonly DedicatedThreadScheduler? _sqliteReads;
    private readonly DedicatedThreadScheduler? _sqliteWrites;
    private readonly GroupCommitWriter _writer;
    private readonly Meter _meter;

    public NewsstandDb(IOptions<DatabaseOptions> options, ILogger<NewsstandDb> logger, IMeterFactory meters)
    {
        var settings = options.Value;
        if (settings.UsesPostgres)
        {
            var postgres = new DbContextOptionsBuilder<PostgresNewsstandDbContext>()
                .UseNpgsql(WithAutoPrepare(settings.Postgres!))
                .UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking)
                .Options;
            var pool = new PooledDbContextFactory<PostgresNewsstandDbContext>(postgres);
            _create = pool.CreateDbContext;
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
                .AddInterceptors(new SqliteDurability())
                .UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking)
                .Options;
            var pool = new PooledDbContextFactory<SqliteNewsstandDbContext>(sqlite);
            _create = pool.CreateDbContext;
            _sqliteReads = new DedicatedThreadScheduler(SqliteReadThreadName);
            _sqliteWrites = new DedicatedThreadScheduler(SqliteWriteThreadName);
            Provider = "SQLite";
        }
        using (var context = _create())
        {
            Catalog = new TableCatalog(context.Model);
            Inserter = new RowInserter(context.Model, settings.UsesPostgres);
            Updater = new RowUpdater(context.Model, settings.UsesPostgres);
        }
        _meter = meters.Create(MeterName);
        _writer = new GroupCommitWriter(_create, Catalog, Inserter, Updater, settings, _sqliteWrites ?? TaskScheduler.Default, logger, _meter);
    }

    public string Provider { get; }

    public TableCatalog Catalog { get; }

    /// <summary>The multi-row insert statements of the group commits (built from the model once).</summary>
    public RowInserter Inserter { get; }

    /// <summary>The plain conditional updates of the group commits (built from the model once).</summary>
    public RowUpdater Updater { get; }

    /// <summary>A context for work outside grain turns (migrations at start, tests).</summary>
    public NewsstandDbContext CreateContext() => _create();

    /// <summary>Runs <paramref name="read"/> with a fresh context where its I/O cannot block a grain turn; a database
    /// that cannot answer surfaces as <see cref="StorageUnavailableException"/>.</summary>
    public Task<T> ReadAsync<T>(Func<NewsstandDbContext, Task<T>> read) => RunAsync(read, _sqliteReads);

    /// <summary>Runs <paramref name="delete"/> (a set-based delete, in its own transaction) where SQLite's writes run, off
    /// grain turns; answers the rows deleted. A database that cannot answer surfaces as <see cref="StorageUnavailableException"/>.</summary>
    public Task<int> DeleteAsync(Func<NewsstandDbContext, Task<int>> delete) => RunAsync(delete, _sqliteWrites);

    /// <summary>Inserts <paramref name="row"/> in the next group commit; completes once it is committed.</summary>
    public Task InsertAsync(object row) => _writer.WriteAsync(row, EntityState.Added);

    /// <summary>Replaces the stored row with <paramref name="row"/> (same key) in the next group commit.</summary>
    public Task UpdateAsync(object row) => _writer.WriteAsync(row, EntityState.Modified);

    /// <summary>Commits <paramref name="rows"/> together in the next group commit: all of them or none.</summary>
    public Task WriteUnitAsync(params WriteRow[] rows) => _writer.WriteUnitAsync(rows);

    public async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync();
        _sqliteWrites?.Dispose();
        _sqliteReads?.Dispose();
        _meter.Dispose();
    }

    /// <summary>
    /// Npgsql prepares the statements a connection runs often unless the connection string says otherwise: the group
    /// commit's multi-row inserts (one text per table and row count) and the topic's reads then skip parsing and
    /// planning on the server. The writer keeps its connection, so what it prepared stays prepared.
    /// </summary>
    internal static string WithAutoPrepare(string connection)
    {
        var builder = new NpgsqlConnectionStringBuilder(connection);
        if (!connection.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase) && !connection.Contains("AutoPrepare", StringComparison.OrdinalIgnoreCase))
        {
            builder.MaxAutoPrepare = AutoPreparedStatements;
        }
        return builder.ConnectionString;
    }

    private async Task<T> RunAsync<T>(Func<NewsstandDbContext, Task<T>> work, DedicatedThreadScheduler? sqliteThread)
    {
        try
        {
            return sqliteThread is null
                ? await RunHereAsync(work)
                : await Task.Factory.StartNew(() => RunHereAsync(work), CancellationToken.None, TaskCreationOptions.None, sqliteThread).Unwrap();
        }
        catch (Exception error) when (StorageErrors.IsStorageFailure(error))
        {
            throw new StorageUnavailableException(error.GetType().Name, StorageErrors.RetryAfterSeconds);
        }
    }

    private async Task<T> RunHereAsync<T>(Func<NewsstandDbContext, Task<T>> read)
    {
        await using var context = _create();
        return await read(context);
    }
}
