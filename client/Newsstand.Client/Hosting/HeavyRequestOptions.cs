using System.ComponentModel.DataAnnotations;

namespace Newsstand.Client.Hosting;

/// <summary>
/// Admission of CPU-heavy requests (password hashing) at the edge (section <c>HeavyRequests</c>).
/// Beyond <see cref="MaxInFlight"/> this client answers 503 at once, before calling a grain, so a
/// flood of heavy requests costs as little as possible; the silo's lane stays the final bound.
/// </summary>
public sealed class HeavyRequestOptions
{
    public const string SectionName = "HeavyRequests";

    /// <summary>Heavy requests this client forwards at once; keep it at or below the silo lane's threads + queue length.</summary>
    [Range(1, 10_000)]
    public int MaxInFlight { get; set; } = 16;

    /// <summary>
    /// After a shed request's 503 has been sent in full, its connection waits this long before its next
    /// request is read: a client that ignores Retry-After is slowed down instead of spinning on the CPU
    /// that light requests need. Zero turns it off. (HTTP/2 streams of the connection are not held.)
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:05")]
    public TimeSpan ShedPause { get; set; } = TimeSpan.FromMilliseconds(250);
}
