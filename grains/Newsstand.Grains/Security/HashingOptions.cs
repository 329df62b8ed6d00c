using System.ComponentModel.DataAnnotations;

namespace Newsstand.Security;

/// <summary>Cost of password hashes and the shape of the lane that computes them (section <c>Hashing</c>).</summary>
public sealed class HashingOptions
{
    public const string SectionName = "Hashing";

    /// <summary>PBKDF2-HMAC-SHA256 iterations for new hashes; stored hashes keep their own count.</summary>
    [Range(1_000, 10_000_000)]
    public int Iterations { get; set; } = 600_000;

    /// <summary>Threads that hash at once; default one per core.</summary>
    [Range(1, 256)]
    public int Concurrency { get; set; } = Environment.ProcessorCount;

    /// <summary>Hashes that may wait for a thread; beyond this the API answers 503 with Retry-After.</summary>
    [Range(1, 100_000)]
    public int QueueLength { get; set; } = Environment.ProcessorCount * 8;

    /// <summary>CPU priority of lane threads; the default lets every light request preempt them.</summary>
    public LanePriority Priority { get; set; } = LanePriority.Idle;
}
