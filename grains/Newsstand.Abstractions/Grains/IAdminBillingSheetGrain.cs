using Newsstand.Workloads;

namespace Newsstand.Grains;

/// <summary>The consumer of the admins' billing sheet pipeline (key: one pipeline run): <c>GET /ch08/admin/billing/all</c>.</summary>
public interface IAdminBillingSheetGrain : IGrainWithGuidKey
{
    /// <summary>The sheet, one entry per billing of each admin and one entry with a null billing for an admin without,
    /// built as the producer of the same run hands admins over.</summary>
    IAsyncEnumerable<AdminBillingEntry> BuildAsync();
}
