using System.Globalization;
using Newsstand.Grains;
using Orleans.Concurrency;

namespace Newsstand.Workloads;

/// <summary>
/// The payable total task of one billing date: the ledger's sum under the task retry policy. Every call
/// is one task run with its own tries; the grain (one per date, visible on the dashboard) keeps no state.
/// </summary>
[Reentrant] // No state: concurrent runs for one date only share the ledger, and interleave while they wait for it or a backoff.
internal sealed class PayableTotalTaskGrain(IBillingLedger ledger, TaskRetryPolicy retry) : Grain, IPayableTotalTaskGrain
{
    public const string TaskName = "total payable";

    public async Task<PayableTotal> ComputeAsync()
    {
        var date = DateOnly.ParseExact(this.GetPrimaryKeyString(), "yyyy-MM-dd", CultureInfo.InvariantCulture);
        return new PayableTotal(await retry.ExecuteAsync(TaskName, cancellation => ledger.SumPayableAsync(date, cancellation)));
    }
}
