using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Newsstand.Data;

namespace Newsstand.Idempotency;

/// <summary>
/// Deletes stored idempotency answers older than their retention, on every silo every
/// <see cref="IdempotencyOptions.PurgeInterval"/> of the grains' clock, in statements of at most
/// <see cref="IdempotencyOptions.PurgeBatch"/> rows (each its own short transaction) until none is left. Silos
/// purging at once only delete the same rows; a failed round is logged and the next one tries again.
/// </summary>
internal sealed partial class IdempotencyPurger(
    NewsstandDb db, [FromKeyedServices(TimeProviderNames.Grains)] TimeProvider time, IOptions<IdempotencyOptions> options, ILogger<IdempotencyPurger> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PurgeInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var purged = await PurgeAsync(stoppingToken);
                    if (purged > 0)
                    {
                        LogPurged(purged);
                    }
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    LogPurgeFailed(error.GetType().Name, error.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The silo stops.
        }
    }

    /// <summary>Deletes every expired answer, a batch at a time; answers how many.</summary>
    public async Task<int> PurgeAsync(CancellationToken cancellationToken)
    {
        var cutoff = (time.GetUtcNow() - options.Value.Retention).ToUnixTimeMilliseconds();
        var batch = options.Value.PurgeBatch;
        var total = 0;
        while (true)
        {
            var deleted = await db.ReadAsync(context => context.Set<IdempotencyRecord>()
                .Where(a => a.CreatedAtMs < cutoff)
                .OrderBy(a => a.CreatedAtMs)
                .Take(batch)
                .ExecuteDeleteAsync(cancellationToken));
            total += deleted;
            if (deleted < batch || cancellationToken.IsCancellationRequested)
            {
                return total;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Purged {Count} expired idempotency answers.")]
    private partial void LogPurged(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purging expired idempotency answers failed ({Error}: {Reason}); the next round tries again.")]
    private partial void LogPurgeFailed(string error, string reason);
}
