using System.ComponentModel.DataAnnotations;

namespace Newsstand.Api.Hosting;

/// <summary>
/// How many long-lived answers (server-sent-event feeds and WebSockets) a web client holds open (section
/// <c>LongLived</c>): per client address and in all. Each one holds a connection, buffers and a place in the
/// stream fan-out for as long as the client stays; beyond either cap a request answers 429 with Retry-After.
/// </summary>
public sealed class LongLivedOptions
{
    public const string SectionName = "LongLived";

    /// <summary>Open feeds and sockets of one client address (an IPv6 client: of its /64).</summary>
    [Range(1, 100_000)]
    public int PerAddress { get; set; } = 16;

    /// <summary>
    /// Open feeds and sockets of this web client in all: 64 per core. Measured (bench/README.md, Flood): with every
    /// feed replaying the topic at once, 64 per core kept light p99 within 2x and the web client's growth under 100 MB;
    /// 128 and 256 per core did not.
    /// </summary>
    [Range(1, 1_000_000)]
    public int Total { get; set; } = 64 * Environment.ProcessorCount;

    /// <summary>Feeds reading the topic's log at once to catch up (one page each); the others wait their turn.</summary>
    [Range(1, 1024)]
    public int CatchUpConcurrency { get; set; } = Environment.ProcessorCount;

    /// <summary>How often a live feed compares its position with the log, to fill what the live stream missed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan FeedCheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>What a refused request is told to wait before it tries again.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(5);
}
