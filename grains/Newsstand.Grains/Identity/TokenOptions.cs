using System.ComponentModel.DataAnnotations;

namespace Newsstand.Identity;

/// <summary>Access tokens and their signing keys, on the silo (section <c>Auth</c>).</summary>
public sealed class TokenOptions
{
    public const string SectionName = "Auth";

    /// <summary>How long an access token is valid.</summary>
    [Range(typeof(TimeSpan), "00:00:30", "1.00:00:00")]
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long one key signs before the next takes over.</summary>
    [Range(typeof(TimeSpan), "00:10:00", "365.00:00:00")]
    public TimeSpan KeyRotationPeriod { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How long a new key is published before it signs, so every web client knows it by then (they refresh every 5 minutes).</summary>
    [Range(typeof(TimeSpan), "00:06:00", "7.00:00:00")]
    public TimeSpan KeyPublishLead { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The clock skew web clients allow; a retired key stays published this much longer than its last token.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);
}
