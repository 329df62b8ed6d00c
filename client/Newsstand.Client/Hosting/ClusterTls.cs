using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using Orleans.Connections.Security;

namespace Newsstand.Client.Hosting;

/// <summary>Connects to the gateways over TLS (Microsoft.Orleans.Connections.Security) when <see cref="ClusterTlsOptions"/> names a certificate.</summary>
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
            return certificate.HasPrivateKey ? certificate : throw Invalid($"{key}: the certificate in {options.CertificatePath} has no private key.");
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            // The message names the file and the failure (a wrong password reads as a failed decryption), never the password.
            throw Invalid($"{key}: cannot read the certificate {options.CertificatePath} ({e.GetType().Name}: {e.Message}).");
        }
    }

    /// <summary>Gateway connections over TLS, presenting <paramref name="certificate"/> and accepting only silos that present it too.</summary>
    public static IClientBuilder UseClusterTls(this IClientBuilder client, X509Certificate2 certificate) =>
        client.UseTls(certificate, options =>
        {
            options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
            options.RemoteCertificateValidation = (remote, _, errors) => IsTrusted(remote, errors, certificate);
        });

    /// <summary>The silo's rule: the cluster certificate itself, or a chain the machine trusts (silos are reached by IP address, so a name mismatch alone is not held against it).</summary>
    private static bool IsTrusted(X509Certificate2? remote, SslPolicyErrors errors, X509Certificate2 cluster) =>
        remote is not null
        && ((errors & ~SslPolicyErrors.RemoteCertificateNameMismatch) == SslPolicyErrors.None || remote.RawData.AsSpan().SequenceEqual(cluster.RawData));

    private static OptionsValidationException Invalid(string message) =>
        new(ClusterTlsOptions.SectionName, typeof(ClusterTlsOptions), [message]);
}
