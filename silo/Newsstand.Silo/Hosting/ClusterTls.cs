using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Newsstand.Hosting;
using Orleans.Connections.Security;

namespace Newsstand.Silo.Hosting;

/// <summary>Turns on Orleans' TLS (Microsoft.Orleans.Connections.Security) when <see cref="ClusterTlsOptions"/> names a certificate.</summary>
internal static class ClusterTls
{
    /// <summary>The configured cluster certificate, or null when TLS is off; an unreadable file stops the start naming the key.</summary>
    public static X509Certificate2? Load(IConfiguration configuration)
    {
        var options = configuration.GetSection(ClusterTlsOptions.SectionName).Get<ClusterTlsOptions>() ?? new();
        if (!options.Enabled)
        {
            return null;
        }
        var key = $"{ClusterTlsOptions.SectionName}:{nameof(ClusterTlsOptions.CertificatePath)}";
        try
        {
            var certificate = X509CertificateLoader.LoadPkcs12FromFile(options.CertificatePath!, options.CertificatePassword);
            return certificate.HasPrivateKey ? certificate : throw new StartupCheckException($"{key}: the certificate in {options.CertificatePath} has no private key.");
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            // The message names the file and the failure (a wrong password reads as a failed decryption), never the password.
            throw new StartupCheckException($"{key}: cannot read the certificate {options.CertificatePath} ({e.GetType().Name}: {e.Message}).");
        }
    }

    /// <summary>Silo-to-silo and gateway connections over TLS with <paramref name="certificate"/>; peers without it are refused.</summary>
    public static ISiloBuilder UseClusterTls(this ISiloBuilder silo, X509Certificate2 certificate) =>
        silo.UseTls(certificate, options =>
        {
            options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
            options.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
            options.RemoteCertificateValidation = (remote, _, errors) => IsTrusted(remote, errors, certificate);
        });

    /// <summary>
    /// A peer is trusted when it presents the cluster certificate itself (self-signed, shared through a
    /// secret), or a certificate whose chain the machine trusts. Peers are reached by IP address, so a name
    /// mismatch alone does not count against a trusted chain.
    /// </summary>
    public static bool IsTrusted(X509Certificate2? remote, SslPolicyErrors errors, X509Certificate2 cluster) =>
        remote is not null
        && ((errors & ~SslPolicyErrors.RemoteCertificateNameMismatch) == SslPolicyErrors.None || remote.RawData.AsSpan().SequenceEqual(cluster.RawData));
}
