using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Newsstand.Data;

/// <summary>
/// Migrates the schema when the silo starts, before any grain can activate. Several silos may start
/// at once: EF Core takes a database lock around migrations, so only one applies them.
/// </summary>
internal sealed partial class DatabaseMigrator(NewsstandDb db, ILogger<DatabaseMigrator> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(DatabaseMigrator), ServiceLifecycleStage.RuntimeInitialize, MigrateAsync);

    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var context = db.CreateContext();
        await context.Database.MigrateAsync(cancellationToken);
        if (context.Database.IsSqlite())
        {
            // WAL keeps readers off the writer's lock; synchronous stays FULL, so a commit is on disk before we answer.
            await context.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
        LogMigrated(db.Provider);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Database schema is up to date ({Provider}).")]
    private partial void LogMigrated(string provider);
}
