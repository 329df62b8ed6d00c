using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Newsstand.Grains;

namespace Newsstand.Messaging;

/// <summary>
/// Keeps every partition's consumer running: once the silo is active, and then periodically, each silo asks
/// each consumer to make sure it runs. A consumer that lived on a silo that died is reactivated on a live
/// one by the next call; the consumers themselves are kept alive while they run.
/// </summary>
internal sealed partial class TopicConsumerKeeper(IGrainFactory grains, IOptions<TopicOptions> options, TimeProvider time, ILogger<TopicConsumerKeeper> logger)
    : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(TopicConsumerKeeper), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    public void Dispose() => _stop.Dispose();

    private Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = RunAsync(_stop.Token);
        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync();
        await _loop.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task RunAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(options.Value.KeeperPeriod, time);
        try
        {
            do
            {
                await EnsureRunningAsync();
            }
            while (await timer.WaitForNextTickAsync(stop));
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The silo is stopping.
        }
    }

    private async Task EnsureRunningAsync()
    {
        var consumers = Enumerable.Range(0, options.Value.Partitions).Select(p => grains.MessengerConsumer(p).EnsureRunningAsync()).ToArray();
        try
        {
            await Task.WhenAll(consumers);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            // A consumer that cannot start now (database down, silo joining) is tried again at the next tick.
            LogNotRunning(error.GetType().Name, error.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A newstopic consumer could not be started ({Error}: {Reason}); trying again at the next check.")]
    private partial void LogNotRunning(string error, string reason);
}
