using Newsstand.Hosting;
using Orleans.Connections.Security;

namespace Newsstand.Silo.Hosting;

/// <summary>Turns on Orleans' TLS (Microsoft.Orleans.Connections.Security) with the certificate <see cref="ClusterTlsOptions"/> names.</summary>
internal static class ClusterTls
{
    /// <summary>Silo-to-silo and gateway connections over TLS; peers (silos and clients) that <paramref name="trust"/> does not accept are refused.</summary>
    public static ISiloBuilder UseClusterTls(this ISiloBuilder silo, ClusterPeerTrust trust) =>
        silo.UseTls(trust.Certificate, options =>
        {
            options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
            options.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
            options.RemoteCertificateValidation = (remote, chain, _) => trust.Accepts(remote, chain);
        });
}
