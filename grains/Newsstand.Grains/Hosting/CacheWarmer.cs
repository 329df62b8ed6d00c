using Microsoft.Extensions.Logging;
using Newsstand.Grains;
using Newsstand.Records;

namespace Newsstand.Hosting;

/// <summary>
/// Activates every table's index once the silo is up: each counts its table's chunks (one grouped count)
/// and wakes its first chunk, so queries are compiled and the first page request after a start costs one
/// chunk read of at most <see cref="Records.TableSchema.ChunkSize"/> rows, never a whole table.
/// </summary>
internal sealed partial class CacheWarmer(IGrainFactory grains, ILogger<CacheWarmer> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(CacheWarmer), ServiceLifecycleStage.Active, WarmAsync);

    private async Task WarmAsync(CancellationToken cancellationToken)
    {
        var counts = await Task.WhenAll(TableSchema.Records.Append(typeof(LoginView)).Select(record => grains.TableIndex(record).WarmAsync()))
            .WaitAsync(cancellationToken);
        var rows = counts.Sum();
        LogWarmed(counts.Length, rows);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Warmed {Tables} table indexes ({Rows} rows).")]
    private partial void LogWarmed(int tables, long rows);
}
