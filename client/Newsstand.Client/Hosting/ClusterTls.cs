using Newsstand.Hosting;
using Orleans.Connections.Security;

namespace Newsstand.Client.Hosting;

/// <summary>Connects to the gateways over TLS (Microsoft.Orleans.Connections.Security) with the certificate <see cref="ClusterTlsOptions"/> names.</summary>
internal static class ClusterTls
{
    /// <summary>Gateway connections over TLS, presenting this client's certificate and accepting only silos that <paramref name="trust"/> accepts.</summary>
    public static IClientBuilder UseClusterTls(this IClientBuilder client, ClusterPeerTrust trust) =>
        client.UseTls(trust.Certificate, options =>
        {
            options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
            options.RemoteCertificateValidation = (remote, chain, _) => trust.Accepts(remote, chain);
        });
}
