using System.ComponentModel.DataAnnotations;

namespace Newsstand.Api.Hosting;

/// <summary>
/// Rate limits on the password routes (section <c>AbuseLimits</c>), against password guessing and mass
/// registration. Each route counts per username (whatever the address) and per client address (whatever
/// the username); a request needs room in both, and beyond either it answers 429 with Retry-After.
/// Limits are fixed windows, kept in this web client's memory: with several clients, each counts alone.
/// </summary>
public sealed class AbuseLimitOptions
{
    public const string SectionName = "AbuseLimits";

    /// <summary><c>login/verify</c> attempts for one username: 5 a minute.</summary>
    public Rate VerifyPerUsername { get; set; } = new() { Permits = 5, Window = TimeSpan.FromMinutes(1) };

    /// <summary><c>login/verify</c> attempts from one client address: 30 a minute.</summary>
    public Rate VerifyPerAddress { get; set; } = new() { Permits = 30, Window = TimeSpan.FromMinutes(1) };

    /// <summary><c>login/add</c> requests for one username: 5 a minute.</summary>
    public Rate AddPerUsername { get; set; } = new() { Permits = 5, Window = TimeSpan.FromMinutes(1) };

    /// <summary><c>login/add</c> requests from one client address: 30 a minute.</summary>
    public Rate AddPerAddress { get; set; } = new() { Permits = 30, Window = TimeSpan.FromMinutes(1) };

    /// <summary>At most <see cref="Permits"/> requests in each <see cref="Window"/>.</summary>
    public sealed class Rate
    {
        [Range(1, 1_000_000)]
        public int Permits { get; set; }

        [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
        public TimeSpan Window { get; set; }
    }
}
