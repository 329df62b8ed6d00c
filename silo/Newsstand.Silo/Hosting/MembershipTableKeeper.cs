using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Newsstand.Silo.Hosting;

/// <summary>
/// Repairs the membership table in Redis after it was lost (a <c>FLUSHALL</c>, a Redis restarted without its
/// data). Orleans 10.4.2 does not: its silos keep serving on their last view but can no longer record any
/// membership change, a silo that starts recreates an empty table and forms a cluster of its own, and once
/// that table's version passes the version the old silos have seen without their rows, they stop themselves.
/// </summary>
/// <remarks>
/// While this silo is active it reads the table every probe period (<see cref="ClusterMembershipOptions.ProbeTimeout"/>).
/// When its own row is missing it writes it back as it last saw it. The rows go back at low table versions,
/// which the silos ignore (they only take a table newer than their view), so no silo sees a table without
/// its own row as news. Once every silo this one considers active has its row back (or a grace period of
/// three probe periods has passed: a silo that does not come back is gone), it advances the table's version
/// past its own view, so every silo takes the repaired table and membership changes (deaths, joins) work again.
/// </remarks>
internal sealed partial class MembershipTableKeeper(
    IMembershipTable table,
    IClusterMembershipService membership,
    ILocalSiloDetails silo,
    IOptions<ClusterMembershipOptions> options,
    TimeProvider time,
    ILogger<MembershipTableKeeper> logger) : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private readonly TimeSpan _period = options.Value.ProbeTimeout;
    private readonly CancellationTokenSource _stopping = new();
    private Task _keeping = Task.CompletedTask;
    private MembershipEntry? _lastSeenRow;
    private DateTimeOffset? _behindSince;

    // Active: this silo has joined, and it stops keeping before it leaves the cluster.
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(MembershipTableKeeper), ServiceLifecycleStage.Active, Start, Stop);

    private Task Start(CancellationToken cancellationToken)
    {
        _keeping = KeepAsync(_stopping.Token);
        return Task.CompletedTask;
    }

    private async Task Stop(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _keeping.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public void Dispose() => _stopping.Dispose();

    private async Task KeepAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(_period, time);
        try
        {
            // At once (this silo's row is in the table as it joined), then every period.
            do
            {
                try
                {
                    await CheckAsync(stopping);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    LogCheckFailed(logger, exception);
                }
            }
            while (await timer.WaitForNextTickAsync(stopping));
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The silo is stopping.
        }
    }

    private async Task CheckAsync(CancellationToken stopping)
    {
        var data = await ReadTableAsync(stopping);
        if (data.TryGet(silo.SiloAddress) is { } mine)
        {
            _lastSeenRow = mine.Item1;
            await CatchUpAsync(data, stopping);
            return;
        }
        if (membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress) != SiloStatus.Active || _lastSeenRow is null)
        {
            return;
        }
        _lastSeenRow.IAmAliveTime = time.GetUtcNow().UtcDateTime;
        if (await table.InsertRowAsync(_lastSeenRow, data.Version.Next(), stopping))
        {
            LogRowWrittenBack(logger, data.Version.Version + 1, membership.CurrentSnapshot.Version.Value);
        }
    }

    /// <summary>Reads the table; a table whose version entry is gone is recreated empty first (as a starting silo would).</summary>
    private async Task<MembershipTableData> ReadTableAsync(CancellationToken stopping)
    {
        try
        {
            return await table.ReadAllAsync(stopping);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogTableUnreadable(logger, exception.Message);
            await table.InitializeMembershipTableAsync(tryInitTableVersion: true, stopping);
            return await table.ReadAllAsync(stopping);
        }
    }

    /// <summary>Advances a repaired table's version past this silo's view, once the silos of that view have their rows back.</summary>
    private async Task CatchUpAsync(MembershipTableData data, CancellationToken stopping)
    {
        var view = membership.CurrentSnapshot;
        if (data.Version.Version >= view.Version.Value)
        {
            _behindSince = null;
            return;
        }
        var now = time.GetUtcNow();
        _behindSince ??= now;
        var missing = view.Members.Values.Count(member => member.Status == SiloStatus.Active && data.TryGet(member.SiloAddress) is null);
        if (missing > 0 && now - _behindSince < 3 * _period)
        {
            return;
        }
        // The provider advances the version one step per conditional write: rewrite our row until the table is
        // past the view. A write that loses to another silo's is retried on a fresh read, within a bounded budget.
        for (var attempts = view.Version.Value - data.Version.Version + 10;
             attempts > 0 && data.Version.Version <= view.Version.Value && data.TryGet(silo.SiloAddress) is { } mine;
             attempts--)
        {
            await table.UpdateRowAsync(mine.Item1, mine.Item2, data.Version.Next(), stopping);
            data = await table.ReadAllAsync(stopping);
        }
        _behindSince = null;
        LogTableCaughtUp(logger, data.Version.Version, missing);
        await membership.Refresh(new MembershipVersion(data.Version.Version), stopping);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The membership table cannot be read ({Reason}); recreating it if it is gone.")]
    private static partial void LogTableUnreadable(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "The membership table had lost this silo's row (Redis flushed, or restarted without its data): wrote it back at table version {TableVersion} (this silo's view: version {ViewVersion}).")]
    private static partial void LogRowWrittenBack(ILogger logger, int tableVersion, long viewVersion);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "The repaired membership table is at version {TableVersion}, past this silo's view; silos of the view without a row: {Missing}.")]
    private static partial void LogTableCaughtUp(ILogger logger, int tableVersion, int missing);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checking the membership table failed; trying again in one probe period.")]
    private static partial void LogCheckFailed(ILogger logger, Exception exception);
}

internal static class MembershipTableKeeperExtensions
{
    /// <summary>Repairs the membership table when Redis loses it (see <see cref="MembershipTableKeeper"/>).</summary>
    public static ISiloBuilder AddMembershipTableKeeper(this ISiloBuilder silo)
    {
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, MembershipTableKeeper>();
        return silo;
    }
}
