using System.ComponentModel.DataAnnotations;

namespace Newsstand.Api.Hosting;

/// <summary>
/// How long and how slowly a client may hold a connection, and how much header it may send (section
/// <c>ConnectionLimits</c>): slow clients are cut off instead of holding connections. Kestrel's own
/// defaults are looser (30 s for headers, 130 s keep-alive, 32 KiB of headers, 240 bytes/s).
/// The body size limit (1 MiB) is part of the API contract and not configurable.
/// </summary>
public sealed class ConnectionLimitOptions
{
    public const string SectionName = "ConnectionLimits";

    /// <summary>Time to receive all request headers, from the first byte of the request.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long an idle connection stays open between requests.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>All request headers together, in bytes.</summary>
    [Range(1024, 1024 * 1024)]
    public int MaxRequestHeadersTotalSize { get; set; } = 16 * 1024;

    /// <summary>Slowest average rate, in bytes per second, at which a request body may arrive once the grace period is over.</summary>
    [Range(1, 1024 * 1024)]
    public double MinRequestBodyDataRate { get; set; } = 1024;

    /// <summary>How long a request body may arrive slower than <see cref="MinRequestBodyDataRate"/> (Kestrel needs more than 1 s).</summary>
    [Range(typeof(TimeSpan), "00:00:02", "00:01:00")]
    public TimeSpan DataRateGracePeriod { get; set; } = TimeSpan.FromSeconds(5);
}
