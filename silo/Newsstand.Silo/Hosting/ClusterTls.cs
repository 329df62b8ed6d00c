using System.Security.Cryptography.X509Certificates;
using Newsstand.Hosting;
using Orleans.Connections.Security;

namespace Newsstand.Silo.Hosting;

/// <summary>Turns on Orleans' TLS (Microsoft.Orleans.Connections.Security) with the certificate <see cref="ClusterTlsOptions"/> names.</summary>
internal static class ClusterTls
{
    /// <summary>Silo-to-silo and gateway connections over TLS with <paramref name="certificate"/>; peers without it are refused.</summary>
    public static ISiloBuilder UseClusterTls(this ISiloBuilder silo, X509Certificate2 certificate) =>
        silo.UseTls(certificate, options =>
        {
            options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
            options.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
            options.RemoteCertificateValidation = (remote, _, errors) => ClusterTlsOptions.IsTrusted(remote, errors, certificate);
        });
}
