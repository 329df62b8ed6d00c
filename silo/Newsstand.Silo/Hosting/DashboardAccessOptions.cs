using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;

namespace Newsstand.Silo.Hosting;

/// <summary>
/// Who may open the Orleans dashboard (section <c>Dashboard</c>). Unset, it answers only requests from
/// loopback on the silo's web port. With <see cref="AdminUrl"/> the silo also listens there, serves the
/// dashboard only on that port, and every request must authenticate (HTTP Basic) with
/// <see cref="Username"/> and <see cref="Password"/>, which come from configuration or a secret, never from the repository.
/// </summary>
public sealed partial class DashboardAccessOptions : IValidatableObject
{
    public const string SectionName = "Dashboard";

    public const int MinPasswordLength = 12;

    /// <summary>Admin listener, e.g. <c>http://+:8101</c>; it must name its port.</summary>
    public string? AdminUrl { get; set; }

    [MaxLength(100)]
    public string? Username { get; set; }

    [MaxLength(200)]
    public string? Password { get; set; }

    public bool HasCredentials => !string.IsNullOrEmpty(Username) && !string.IsNullOrEmpty(Password);

    /// <summary>The admin listener's port, or null when the dashboard stays on loopback.</summary>
    public int? AdminPort => string.IsNullOrWhiteSpace(AdminUrl) ? null : ParseAdminUrl(AdminUrl)?.Port;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(AdminUrl))
        {
            yield break;
        }
        if (ParseAdminUrl(AdminUrl) is null)
        {
            yield return new("is not an http(s) URL with a port, e.g. http://+:8101.", [nameof(AdminUrl)]);
        }
        if (!HasCredentials)
        {
            yield return new($"is required, with {SectionName}:{nameof(Password)}, when {SectionName}:{nameof(AdminUrl)} is set.", [nameof(Username), nameof(Password)]);
        }
        else if (Password!.Length < MinPasswordLength)
        {
            yield return new($"must have at least {MinPasswordLength} characters.", [nameof(Password)]);
        }
    }

    // Kestrel's wildcard hosts (+, *) are no URI hosts: read them as "any" to find scheme and port.
    private static Uri? ParseAdminUrl(string url) =>
        ExplicitPort().IsMatch(url)
        && Uri.TryCreate(url.Replace("://+", "://any", StringComparison.Ordinal).Replace("://*", "://any", StringComparison.Ordinal), UriKind.Absolute, out var uri)
            ? uri
            : null;

    [GeneratedRegex(@"^https?://[^/]+:[0-9]{1,5}/?$")]
    private static partial Regex ExplicitPort();
}
