using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Newsstand.Data;

/// <summary>
/// Migrates the schema when the silo starts, before any grain can activate. Several silos may start
/// at once against one PostgreSQL database: each takes a session-level advisory lock first, so one
/// applies the migrations and the others find them applied (without it, two silos both created the
/// same tables and one of them failed to start).
/// </summary>
internal sealed partial class DatabaseMigrator(NewsstandDb db, ILogger<DatabaseMigrator> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(DatabaseMigrator), ServiceLifecycleStage.RuntimeInitialize, MigrateAsync);

    // Any fixed number: every silo of every version must use the same one.
    private const long MigrationLock = 0x6E736D73_6D696772;

    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var context = db.CreateContext();
        var locked = context.Database.IsNpgsql();
        if (locked)
        {
            // A session lock: it lives on this one connection, which stays open until it is released.
            await context.Database.OpenConnectionAsync(cancellationToken);
            await context.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_lock({MigrationLock})", cancellationToken);
        }
        try
        {
            await context.Database.MigrateAsync(cancellationToken);
        }
        finally
        {
            if (locked)
            {
                await context.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_unlock({MigrationLock})", CancellationToken.None);
                await context.Database.CloseConnectionAsync();
            }
        }
        if (context.Database.IsSqlite())
        {
            // WAL keeps readers off the writer's lock; every connection sets synchronous=FULL (SqliteDurability), so a
            // commit is on disk before we answer.
            await context.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
        else if (!await CommitsWaitForDiskAsync(context, cancellationToken))
        {
            LogAsynchronousCommit();
        }
        LogMigrated(db.Provider);
    }

    /// <summary>Whether PostgreSQL acknowledges a commit only once it is on disk (its sessions' synchronous_commit is not off).</summary>
    internal static async Task<bool> CommitsWaitForDiskAsync(DbContext context, CancellationToken cancellationToken = default) =>
        await context.Database.SqlQueryRaw<string>("SELECT current_setting('synchronous_commit') AS \"Value\"").SingleAsync(cancellationToken) != "off";

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL has synchronous_commit=off: a commit is acknowledged before it is on disk, so a server crash can lose writes this service answered 2xx. Set synchronous_commit to on (or remote_apply/remote_write with replicas).")]
    private partial void LogAsynchronousCommit();

    [LoggerMessage(Level = LogLevel.Information, Message = "Database schema is up to date ({Provider}).")]
    private partial void LogMigrated(string provider);
}
