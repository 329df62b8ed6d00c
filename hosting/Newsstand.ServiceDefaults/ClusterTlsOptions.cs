using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;

namespace Newsstand.Hosting;

/// <summary>
/// TLS for silo-to-silo and client-to-gateway connections (section <c>Orleans:Tls</c>), off unless a
/// certificate is configured. Each silo and client presents its certificate and accepts only peers that
/// <see cref="ClusterPeerTrust"/> accepts: the same certificate, or one the configured private CA issued.
/// </summary>
public sealed class ClusterTlsOptions : IValidatableObject
{
    public const string SectionName = "Orleans:Tls";

    /// <summary>A PKCS#12 (<c>.pfx</c>) file with this host's certificate and its private key; unset, connections are plain TCP.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The file's password: from the environment or a mounted secret, never the repository.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>
    /// A private CA's certificate (PEM or DER, no key): peers presenting a certificate it issued are accepted too.
    /// Unset, only the configured certificate itself is.
    /// </summary>
    public string? CaCertificatePath { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(CertificatePath);

    /// <summary>Whom this host accepts as a peer, or null when TLS is off; an unreadable file stops the start naming its key.</summary>
    public static ClusterPeerTrust? LoadTrust(IConfiguration configuration)
    {
        var options = Settings.Read<ClusterTlsOptions>(configuration, SectionName);
        if (!options.Enabled)
        {
            return null;
        }
        var certificate = CertificateFiles.LoadWithPrivateKey(options.CertificatePath!, options.CertificatePassword, $"{SectionName}:{nameof(CertificatePath)}");
        var authority = string.IsNullOrWhiteSpace(options.CaCertificatePath)
            ? null
            : CertificateFiles.LoadAuthority(options.CaCertificatePath, $"{SectionName}:{nameof(CaCertificatePath)}");
        return new ClusterPeerTrust(certificate, authority);
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enabled && !string.IsNullOrWhiteSpace(CaCertificatePath))
        {
            yield return new ValidationResult(
                $"a CA is configured but TLS is off: set {SectionName}:{nameof(CertificatePath)} too (the certificate this host presents).",
                [nameof(CaCertificatePath)]);
        }
    }
}
