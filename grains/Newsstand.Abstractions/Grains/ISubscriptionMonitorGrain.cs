using Newsstand.Workloads;

namespace Newsstand.Grains;

/// <summary>
/// The subscription monitor (one for the cluster, key 0): while running, every period it sums price × qty of
/// all subscriptions and publishes the total on the <c>monitor</c> topic. Whether it runs is kept in the
/// database, so a running monitor runs again after a restart.
/// </summary>
public interface ISubscriptionMonitorGrain : IGrainWithIntegerKey
{
    /// <summary>Starts the monitor unless it runs already (never a second one); returns whether this call started it.</summary>
    Task<bool> StartAsync();

    /// <summary>Stops the monitor; returns whether it was running.</summary>
    Task<bool> StopAsync();

    /// <summary>Running or stopped, the period, and the latest total with its time.</summary>
    Task<MonitorStatus> GetStatusAsync();
}
