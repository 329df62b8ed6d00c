using Newsstand.Workloads;

namespace Newsstand.Grains;

/// <summary>The producer of the admins' billing sheet pipeline (key: one pipeline run).</summary>
public interface IAdminBillingProducerGrain : IGrainWithGuidKey
{
    /// <summary>Every admin in id order with the billings it approved, produced batch by batch as the consumer pulls
    /// (the hand-off is bounded by Orleans' enumeration batches: nothing runs ahead of the consumer).</summary>
    IAsyncEnumerable<AdminBillings> ProduceAsync();
}
