using Newsstand.Grains;

namespace Newsstand.Workloads;

/// <summary>
/// The consumer of the admins' billing sheet: pulls admins with their billings from the producer of the same
/// run in bounded batches and turns each into sheet entries, which its own caller pulls in turn.
/// </summary>
// One activation per pipeline run; it is not deactivated from inside the enumeration (the caller's last
// pull for "done" still needs it), so idle runs are collected soon after instead.
[CollectionAgeLimit(Minutes = 2)]
internal sealed class AdminBillingSheetGrain : Grain, IAdminBillingSheetGrain
{
    /// <summary>Admins handed over per enumeration batch: the most the producer can be ahead of this consumer.</summary>
    public const int HandOffBatch = 64;

    public async IAsyncEnumerable<AdminBillingEntry> BuildAsync()
    {
        var producer = GrainFactory.GetGrain<IAdminBillingProducerGrain>(this.GetPrimaryKey());
        await foreach (var item in producer.ProduceAsync().WithBatchSize(HandOffBatch))
        {
            var name = $"{item.Admin.Firstname} {item.Admin.Lastname}";
            if (item.Billings.Count == 0)
            {
                yield return new AdminBillingEntry(name, null);
                continue;
            }
            foreach (var billing in item.Billings)
            {
                yield return new AdminBillingEntry(name, billing);
            }
        }
    }
}
