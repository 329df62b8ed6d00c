using System.ComponentModel.DataAnnotations;

namespace Newsstand.Idempotency;

/// <summary>How long the answers to <c>Idempotency-Key</c> requests are kept, and how they are purged (section <c>Idempotency</c>).</summary>
public sealed class IdempotencyOptions
{
    public const string SectionName = "Idempotency";

    /// <summary>How long a stored answer is replayed; at least a day (a client's retries may span an outage), never less.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "365.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often each silo deletes answers older than <see cref="Retention"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Most answers one purge statement deletes (each its own short transaction), so a purge never holds the database long.</summary>
    [Range(1, 100_000)]
    public int PurgeBatch { get; set; } = 1000;
}
