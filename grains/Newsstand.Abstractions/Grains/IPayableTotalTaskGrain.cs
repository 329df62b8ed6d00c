using Newsstand.Workloads;

namespace Newsstand.Grains;

/// <summary>
/// The original's distributed task (Celery) as a grain (key: the billing date as <c>yyyy-MM-dd</c>): sums the
/// payable of the billings billed that day, retrying transient faults with exponential backoff and jitter.
/// </summary>
public interface IPayableTotalTaskGrain : IGrainWithStringKey
{
    /// <summary>The total payable of the date. Throws <see cref="Errors.TaskRetriesExhaustedException"/> after the last
    /// try met a transient fault, and <see cref="Errors.TaskFailedException"/> at once for a permanent fault.</summary>
    Task<PayableTotal> ComputeAsync();
}
