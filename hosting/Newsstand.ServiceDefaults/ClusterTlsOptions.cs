using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;

namespace Newsstand.Hosting;

/// <summary>
/// TLS for silo-to-silo and client-to-gateway connections (section <c>Orleans:Tls</c>), off unless a
/// certificate is configured. Every silo and client of a cluster uses the same certificate, and each side
/// requires the other to present it (or a certificate the machine's trust store accepts).
/// </summary>
public sealed class ClusterTlsOptions
{
    public const string SectionName = "Orleans:Tls";

    /// <summary>A PKCS#12 (<c>.pfx</c>) file with the cluster certificate and its private key; unset, connections are plain TCP.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The file's password: from the environment or a mounted secret, never the repository.</summary>
    public string? CertificatePassword { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(CertificatePath);

    /// <summary>The configured cluster certificate, or null when TLS is off; an unreadable file stops the start naming the key.</summary>
    public static X509Certificate2? LoadCertificate(IConfiguration configuration)
    {
        var options = Settings.Read<ClusterTlsOptions>(configuration, SectionName);
        return options.Enabled
            ? CertificateFiles.LoadWithPrivateKey(options.CertificatePath!, options.CertificatePassword, $"{SectionName}:{nameof(CertificatePath)}")
            : null;
    }

    /// <summary>
    /// A peer is trusted when it presents the cluster certificate itself (self-signed, shared through a
    /// secret), or a certificate whose chain the machine trusts. Peers are reached by IP address, so a name
    /// mismatch alone does not count against a trusted chain.
    /// </summary>
    public static bool IsTrusted(X509Certificate2? remote, SslPolicyErrors errors, X509Certificate2 cluster) =>
        remote is not null
        && ((errors & ~SslPolicyErrors.RemoteCertificateNameMismatch) == SslPolicyErrors.None || remote.RawData.AsSpan().SequenceEqual(cluster.RawData));
}
