using System.ComponentModel.DataAnnotations;

namespace Newsstand.Workloads;

/// <summary>Retries of the payable total task (section <c>PayableTotal</c>): exponential backoff with jitter.</summary>
public sealed class PayableTotalOptions
{
    public const string SectionName = "PayableTotal";

    /// <summary>Tries in all, the first included; transient faults only are retried.</summary>
    [Range(1, 10)]
    public int MaxTries { get; set; } = 5;

    /// <summary>The first retry's base delay; each further retry doubles it (with jitter).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>No single backoff is longer than this (the whole task must stay well inside a grain call's 30 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:10")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(4);
}
