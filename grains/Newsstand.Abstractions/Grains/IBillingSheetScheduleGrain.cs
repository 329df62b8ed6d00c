using Newsstand.Workloads;

namespace Newsstand.Grains;

/// <summary>The billing sheet jobs of one date (key: the date as <c>yyyy-MM-dd</c>): at most one runs at a time.</summary>
public interface IBillingSheetScheduleGrain : IGrainWithStringKey
{
    /// <summary>Starts a billing sheet job for this date, or returns the one that is queued or running.</summary>
    Task<BillingJobStatus> StartAsync();
}
