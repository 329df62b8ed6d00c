using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Newsstand.Data;
using Newsstand.Grains;
using Newsstand.Workloads;

namespace Newsstand.Hosting;

/// <summary>
/// When the silo has started (schema migrated, it is active): the profile key ring is loaded (its first key made on
/// a new database), billing jobs recorded as queued or running are
/// resumed (a crash or a shutdown left them so), and the subscription monitor is activated, which restarts
/// its timer if it was running. Every silo does this at start; a job or monitor already running elsewhere
/// is left as it is. When the silo stops, the first thing it does (before grains are deactivated and before
/// grain calls fail) is to tell running jobs through <see cref="SiloStopping"/>, so they stop resumable.
/// </summary>
internal sealed partial class WorkloadRecovery(NewsstandDb db, IGrainFactory grains, SiloStopping stopping, ProfileProtector profiles,
    ILogger<WorkloadRecovery> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(WorkloadRecovery), ServiceLifecycleStage.Active, RecoverAsync, stopping.SignalAsync);

    private async Task RecoverAsync(CancellationToken cancellationToken)
    {
        await profiles.WarmAsync().WaitAsync(cancellationToken);
        var jobs = await db.ReadAsync(context => context.Set<BillingJobEntity>()
            .Where(j => j.Status == JobStates.Queued || j.Status == JobStates.Running)
            .Select(j => j.Id)
            .ToListAsync(cancellationToken));
        await Task.WhenAll(jobs.Select(id => grains.GetGrain<IBillingSheetJobGrain>(id).ResumeAsync())).WaitAsync(cancellationToken);
        var monitor = await grains.GetGrain<ISubscriptionMonitorGrain>(0).GetStatusAsync().WaitAsync(cancellationToken);
        LogRecovered(jobs.Count, monitor.Running);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Workloads recovered: {Jobs} billing jobs resumed; subscription monitor running: {Monitor}.")]
    private partial void LogRecovered(int jobs, bool monitor);
}
