using System.Security.Cryptography.X509Certificates;
using Newsstand.Hosting;
using Orleans.Connections.Security;

namespace Newsstand.Client.Hosting;

/// <summary>Connects to the gateways over TLS (Microsoft.Orleans.Connections.Security) with the certificate <see cref="ClusterTlsOptions"/> names.</summary>
internal static class ClusterTls
{
    /// <summary>Gateway connections over TLS, presenting <paramref name="certificate"/> and accepting only silos that present it too.</summary>
    public static IClientBuilder UseClusterTls(this IClientBuilder client, X509Certificate2 certificate) =>
        client.UseTls(certificate, options =>
        {
            options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
            options.RemoteCertificateValidation = (remote, _, errors) => ClusterTlsOptions.IsTrusted(remote, errors, certificate);
        });
}
