using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Newsstand.Data;
using Newsstand.Grains;
using Newsstand.Records;

namespace Newsstand.Workloads;

/// <summary>
/// The subscription monitor: a grain timer (on the grains' clock) that, every period, sums price × qty over the
/// batched scan of the subscription table, records the total and publishes it on the <c>monitor</c> topic.
/// Whether it runs is kept in the database; an activation that finds it running starts its timer, and the silo
/// activates it at start (see <see cref="Hosting.WorkloadRecovery"/>). Not reentrant: start, stop, status reads and
/// ticks never overlap, so a status read sees whole ticks and a stop cannot race a tick.
/// </summary>
internal sealed partial class SubscriptionMonitorGrain(
    NewsstandDb db,
    IOptions<SubscriptionMonitorOptions> options,
    [FromKeyedServices(TimeProviderNames.Grains)] TimeProvider time,
    ILogger<SubscriptionMonitorGrain> logger) : Grain, ISubscriptionMonitorGrain
{
    public const string MonitorName = "subscription-total";
    public const int ScanBatch = 512;

    private MonitorStateEntity _state = new(MonitorName, false, null, null, 0);
    private bool _stored;
    private IGrainTimer? _timer;

    private TimeSpan Period => options.Value.Period;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var stored = await db.ReadAsync(context => context.Set<MonitorStateEntity>().SingleOrDefaultAsync(m => m.Id == MonitorName, cancellationToken));
        if (stored is not null)
        {
            _state = stored;
            _stored = true;
        }
        if (_state.Running)
        {
            StartTimer();
        }
    }

    public async Task<bool> StartAsync()
    {
        if (_state.Running)
        {
            return false;
        }
        await SaveAsync(_state with { Running = true });
        StartTimer();
        return true;
    }

    public async Task<bool> StopAsync()
    {
        if (!_state.Running)
        {
            return false;
        }
        _timer?.Dispose();
        _timer = null;
        await SaveAsync(_state with { Running = false });
        return true;
    }

    public Task<MonitorStatus> GetStatusAsync() => Task.FromResult(Status());

    private MonitorStatus Status() => new(_state.Running, Period.TotalSeconds, _state.LatestTotal, _state.LatestAt, _state.Ticks);

    private void StartTimer() =>
        _timer ??= this.RegisterGrainTimer(TickAsync, new GrainTimerCreationOptions { DueTime = Period, Period = Period, Interleave = false, KeepAlive = true });

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        var total = 0d;
        await foreach (var subscription in GrainFactory.ScanAsync<SubscriptionRecord>(ScanBatch, cancellationToken))
        {
            total += subscription.Price * subscription.Qty;
        }
        var at = time.GetUtcNow();
        await SaveAsync(_state with { LatestTotal = total, LatestAt = at, Ticks = _state.Ticks + 1 });
        try
        {
            await this.NotificationStream(NotificationTopics.Monitor).OnNextAsync(
                NotificationStreams.Create($"{MonitorName}-{_state.Ticks}", "monitor.total", Status(), at));
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            // The total is recorded either way; whoever watches gets the next one.
            LogNotPublished(error.GetType().Name);
        }
    }

    private async Task SaveAsync(MonitorStateEntity state)
    {
        if (_stored)
        {
            await db.UpdateAsync(state);
        }
        else
        {
            await db.InsertAsync(state);
            _stored = true;
        }
        _state = state;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The subscription monitor could not publish its total ({Error}).")]
    private partial void LogNotPublished(string error);
}
