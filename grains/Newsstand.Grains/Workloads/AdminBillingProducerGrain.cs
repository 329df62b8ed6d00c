using Microsoft.EntityFrameworkCore;
using Newsstand.Data;
using Newsstand.Grains;
using Newsstand.Records;

namespace Newsstand.Workloads;

/// <summary>
/// The producer of the admins' billing sheet: walks the admin table with the batched scan and, per batch of
/// admins, reads their billings with one indexed query (billing.admin_id). It yields as the consumer pulls,
/// so it never runs more than one enumeration batch ahead. One activation per pipeline run.
/// </summary>
// One activation per pipeline run; it is not deactivated from inside the enumeration (the caller's last
// pull for "done" still needs it), so idle runs are collected soon after instead.
[CollectionAgeLimit(Minutes = 2)]
internal sealed class AdminBillingProducerGrain(NewsstandDb db) : Grain, IAdminBillingProducerGrain
{
    public const int AdminBatch = 256;

    public IAsyncEnumerable<AdminBillings> ProduceAsync() => GrainFactory.ScanBatchesAsync<AdminRecord, AdminBillings>(AdminBatch, WithBillingsAsync);

    private async Task<IEnumerable<AdminBillings>> WithBillingsAsync(AdminRecord[] admins)
    {
        var ids = admins.Select(a => a.Id).ToArray();
        var billings = await db.ReadAsync(context => context.Billings
            .Where(b => ids.Contains(b.AdminId))
            .OrderBy(b => b.AdminId).ThenBy(b => b.Id)
            .ToListAsync());
        var byAdmin = billings.ToLookup(b => b.AdminId);
        return [.. admins.Select(admin => new AdminBillings(admin, [.. byAdmin[admin.Id]]))];
    }
}
