using System.ComponentModel.DataAnnotations;

namespace Newsstand.Records;

/// <summary>
/// Whole-list read leases (section <c>Reads</c>, read by the silo and by the web API alike): a separate web client
/// answers a table's whole list from memory for this long after it asked the table's index, unless the index revoked it
/// first (<see cref="Grains.IWholeListHolder"/>). The index grants at most its own setting; zero turns leases off (a web
/// client asks for none, a silo grants none).
/// </summary>
public sealed class WholeListLeaseOptions
{
    public const string SectionName = "Reads";

    /// <summary>
    /// How long a lease lasts. A write is delayed by at most this much when a lease holder does not answer its
    /// revocation, and a table index's first writes after it activated wait until this long after its activation.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan WholeListLease { get; set; } = TimeSpan.FromSeconds(2);
}
