using System.ComponentModel.DataAnnotations;

namespace Newsstand.Api.Hosting;

/// <summary>
/// How the API retries reads (section <c>Reads</c>): list pages and table versions change nothing, so a read
/// whose gateway or silo died under it is sent again instead of waiting out Orleans' response timeout.
/// </summary>
public sealed class ReadRetryOptions
{
    public const string SectionName = "Reads";

    /// <summary>
    /// How long one attempt may take before it is given up and sent again. A read is answered from memory in
    /// well under a millisecond; this bounds the wait for a call that went to a gateway or silo that died.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long an attempt may take right after one of the web client's gateway connections closed (a silo probably
    /// died), growing back to <see cref="AttemptTimeout"/> over <see cref="RetryFor"/> with the square of the time since; at most
    /// <see cref="AttemptTimeout"/>. Until membership declares the silo dead, a call a live gateway forwards to it goes
    /// unanswered: a read stuck that way is sent again soon and finds its grain soon after it moved.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:05:00")]
    public TimeSpan AttemptTimeoutAfterGatewayLoss { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// How long a read keeps trying after failures of the cluster (a dead gateway or silo, a dropped connection,
    /// an attempt that ran out) before it answers 503. Longer than the time membership takes to declare a dead
    /// silo dead, a read waits for its grain to move instead of failing. Zero sends every read once.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan RetryFor { get; set; } = TimeSpan.FromSeconds(10);
}
