using Microsoft.EntityFrameworkCore;
using Newsstand.Data;

namespace Newsstand.Workloads;

/// <summary>The storage access of the payable total: one aggregate query, where faults (transient or not) come from.</summary>
internal interface IBillingLedger
{
    /// <summary>Sum of <c>payable</c> over the billings billed on <paramref name="billingDate"/> (0 when there are none).</summary>
    Task<double> SumPayableAsync(DateOnly billingDate, CancellationToken cancellationToken);
}

/// <summary>The ledger on the system-of-record database (indexed on billing.date_billed), off the grain turn.</summary>
internal sealed class DatabaseBillingLedger(NewsstandDb db) : IBillingLedger
{
    public Task<double> SumPayableAsync(DateOnly billingDate, CancellationToken cancellationToken) =>
        db.ReadAsync(context => context.Billings.Where(b => b.DateBilled == billingDate).SumAsync(b => b.Payable, cancellationToken));
}
