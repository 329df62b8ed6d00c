using System.ComponentModel.DataAnnotations;

namespace Newsstand.Api.Hosting;

/// <summary>
/// Extra Kestrel endpoints of the web client (section <c>HttpEndpoints</c>): HTTPS with HTTP/1.1 and HTTP/2 (ALPN),
/// and HTTP/2 without TLS (h2c, prior knowledge). The <c>Urls</c> setting keeps serving HTTP/1.1 as before.
/// </summary>
public sealed class HttpEndpointOptions : IValidatableObject
{
    public const string SectionName = "HttpEndpoints";

    /// <summary>Where the extra endpoints listen: <c>localhost</c>, <c>*</c> (every address) or an IP address.</summary>
    [Required]
    public string Host { get; set; } = "localhost";

    /// <summary>HTTPS port (HTTP/1.1 and HTTP/2); needs <see cref="CertificatePath"/>.</summary>
    [Range(1, 65535)]
    public int? HttpsPort { get; set; }

    /// <summary>The server certificate with its private key: a PKCS#12 (.pfx) file.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>Password of the certificate file (env <c>HttpEndpoints__CertificatePassword</c>; never in the repository).</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>Port of HTTP/2 without TLS (h2c with prior knowledge, e.g. <c>curl --http2-prior-knowledge</c>).</summary>
    [Range(1, 65535)]
    public int? H2cPort { get; set; }

    public bool AnyConfigured => HttpsPort is not null || H2cPort is not null;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (HttpsPort is not null && string.IsNullOrWhiteSpace(CertificatePath))
        {
            yield return new ValidationResult($"is required when {SectionName}:{nameof(HttpsPort)} is set.", [nameof(CertificatePath)]);
        }
        if (HttpsPort is not null && HttpsPort == H2cPort)
        {
            yield return new ValidationResult($"must differ from {SectionName}:{nameof(HttpsPort)}.", [nameof(H2cPort)]);
        }
    }
}
