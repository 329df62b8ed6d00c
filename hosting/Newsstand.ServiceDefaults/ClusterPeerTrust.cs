using System.Security.Cryptography.X509Certificates;

namespace Newsstand.Hosting;

/// <summary>
/// Which certificates a silo or client accepts from the other end of a cluster connection: the cluster
/// certificate itself (pinned by its raw bytes), or one issued by the configured private CA, with the chain
/// built against that CA alone. The machine's trust store plays no part: a certificate from a public CA,
/// or any other the machine trusts, is refused. Peers are reached by IP address, so names are not checked.
/// </summary>
public sealed class ClusterPeerTrust(X509Certificate2 certificate, X509Certificate2? authority)
{
    /// <summary>The certificate this host presents (with its private key).</summary>
    public X509Certificate2 Certificate { get; } = certificate;

    /// <summary>The private CA whose certificates are accepted too, or null: only <see cref="Certificate"/> itself is.</summary>
    public X509Certificate2? Authority { get; } = authority;

    /// <summary>True when <paramref name="remote"/> is the cluster certificate or the CA issued it (and it is valid now).</summary>
    /// <param name="remote">The certificate the peer presented (and proved it holds the key of).</param>
    /// <param name="presented">The chain the TLS layer built for the peer; only the intermediates the peer sent are taken from it.</param>
    public bool Accepts(X509Certificate2? remote, X509Chain? presented) =>
        remote is not null
        && (remote.RawData.AsSpan().SequenceEqual(Certificate.RawData) || (Authority is not null && IsIssuedByAuthority(remote, presented)));

    private bool IsIssuedByAuthority(X509Certificate2 remote, X509Chain? presented)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Authority!);
        // A private CA publishes no revocation lists; removing a member means rotating the CA or its certificates.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        // Candidates for intermediates only: under custom root trust nothing the peer sent can become a root.
        foreach (var element in presented?.ChainElements.Select(element => element.Certificate) ?? [])
        {
            chain.ChainPolicy.ExtraStore.Add(element);
        }
        return chain.Build(remote);
    }
}
