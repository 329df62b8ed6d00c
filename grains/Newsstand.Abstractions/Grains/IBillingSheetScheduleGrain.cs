using Newsstand.Workloads;

namespace Newsstand.Grains;

/// <summary>The billing sheet jobs of one date (key: the date as <c>yyyy-MM-dd</c>): at most one runs at a time.</summary>
public interface IBillingSheetScheduleGrain : IGrainWithStringKey
{
    /// <summary>Starts a billing sheet job for this date, or returns the one that is queued or running.</summary>
    Task<BillingJobStatus> StartAsync();

    /// <summary>Starts job <paramref name="jobId"/> for this date with the answer to the caller's <c>Idempotency-Key</c>
    /// committed in the same transaction as the job's row, or returns the job that is queued or running (then nothing is
    /// written and no answer stored: the answer names that job, the caller stores it). Throws
    /// <see cref="Errors.CommitOutcomeUnknownException"/> when the row's commit has an unknown outcome.</summary>
    Task<BillingJobStatus> StartKeyedAsync(string jobId, Idempotency.IdempotencyRecord answer);
}
