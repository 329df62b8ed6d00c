using Newsstand.Workloads;

namespace Newsstand.Grains;

/// <summary>The sales quota evaluation (one for the cluster, key 0): a reactive pipeline over every sale.</summary>
public interface ISalesQuotaGrain : IGrainWithIntegerKey
{
    /// <summary>Starts an evaluation run in the background and returns at once. Each evaluation, met, missed or failed,
    /// is published on the <c>quota</c> topic. Asked while a run is going, one more run follows it.</summary>
    Task<QuotaRun> StartAsync();

    /// <summary>The latest run (running or finished), or null before the first.</summary>
    Task<QuotaRun?> GetLatestAsync();
}
