using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Newsstand.Hosting;

/// <summary>
/// Gives memory back to the system once many chunk rows have left it. An idle silo allocates nothing,
/// so the garbage collector never runs by itself and the rows of chunks that went to sleep would stay
/// resident for good. After at least <see cref="TableOptions.ReclaimAfterRows"/> rows were released,
/// the next check (every half minute) asks for one full, non-blocking collection: requests keep running.
/// </summary>
internal sealed partial class MemoryReclaimer(IOptions<TableOptions> options, TimeProvider time, ILogger<MemoryReclaimer> logger) : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(30);

    private long _released;

    /// <summary>A chunk owner holding <paramref name="rows"/> rows has deactivated.</summary>
    public void Released(int rows) => Interlocked.Add(ref _released, rows);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (Interlocked.Read(ref _released) >= options.Value.ReclaimAfterRows)
                {
                    var rows = Interlocked.Exchange(ref _released, 0);
                    var before = Environment.WorkingSet;
                    GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: false);
                    LogReclaiming(rows, before / (1024 * 1024));
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The silo is stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Rows} rows of idle table chunks left memory; collecting garbage (working set {WorkingSetMb} MB).")]
    private partial void LogReclaiming(long rows, long workingSetMb);
}
