using System.ComponentModel.DataAnnotations;

namespace Newsstand.Api.Hosting;

/// <summary>
/// How the web client treats CPU-heavy requests (password hashing) that the silo's hashing lane refused
/// because it is full (section <c>HeavyRequests</c>). The lane is the one place heavy work is admitted or
/// shed, after the login's owner has checked the request, so a flood of adds of one id answers one 200
/// and 409s, never a 503 for a request that could not have succeeded anyway.
/// </summary>
public sealed class HeavyRequestOptions
{
    public const string SectionName = "HeavyRequests";

    /// <summary>
    /// After a shed request's 503 has been sent in full, its connection waits this long before its next
    /// request is read: a client that ignores Retry-After is slowed down instead of spinning on the CPU
    /// that light requests need. Zero turns it off. (HTTP/2 streams of the connection are not held.)
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:05")]
    public TimeSpan ShedPause { get; set; } = TimeSpan.FromMilliseconds(250);
}
