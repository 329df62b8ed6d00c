using System.Security.Cryptography.X509Certificates;
using Newsstand.Hosting;
using Newsstand.Tests.Processes;

namespace Newsstand.Tests.Hosting;

/// <summary>
/// Which certificates a silo or client accepts from a cluster peer: the configured certificate, or one the
/// configured CA issued, nothing else (the process-level proof with a machine-trusted certificate is in <see cref="TlsTests"/>).
/// </summary>
public sealed class ClusterPeerTrustTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nsms-trust-").FullName;
    private readonly string _password = TestCertificates.NewPassword();

    [Fact]
    public void WithoutACaOnlyTheClusterCertificateItselfIsAccepted()
    {
        var (_, cluster) = TestCertificates.Make(_folder, "cluster", _password);
        var (_, stranger) = TestCertificates.Make(_folder, "stranger", _password);
        var (_, authority) = TestCertificates.MakeAuthority(_folder, "ca");
        var (_, issued) = TestCertificates.Issue(authority, _folder, "member", _password);
        var trust = new ClusterPeerTrust(cluster, authority: null);

        Assert.True(trust.Accepts(X509CertificateLoader.LoadCertificate(cluster.RawData), presented: null));
        Assert.False(trust.Accepts(stranger, presented: null));
        Assert.False(trust.Accepts(issued, presented: null));
        Assert.False(trust.Accepts(null, presented: null));
    }

    [Fact]
    public void WithACaItsCertificatesAreAcceptedAndNoOtherIs()
    {
        var (_, authority) = TestCertificates.MakeAuthority(_folder, "ca");
        var (_, own) = TestCertificates.Issue(authority, _folder, "silo-1", _password);
        var (_, member) = TestCertificates.Issue(authority, _folder, "silo-2", _password);
        var (_, expired) = TestCertificates.Issue(authority, _folder, "old", _password, DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow.AddDays(-1));
        // Another CA with the same name: the name is no proof, the signature is.
        var (_, impostor) = TestCertificates.MakeAuthority(Directory.CreateDirectory(Path.Combine(_folder, "elsewhere")).FullName, "ca");
        var (_, forged) = TestCertificates.Issue(impostor, _folder, "silo-3", _password);
        var (_, selfSigned) = TestCertificates.Make(_folder, "silo-4", _password);
        var trust = new ClusterPeerTrust(own, authority);

        Assert.True(trust.Accepts(own, presented: null));
        Assert.True(trust.Accepts(member, presented: null));
        Assert.False(trust.Accepts(expired, presented: null));
        Assert.False(trust.Accepts(forged, presented: null));
        Assert.False(trust.Accepts(selfSigned, presented: null));
    }

    [Fact]
    public void APresentedChainCannotSmuggleInARoot()
    {
        var (_, authority) = TestCertificates.MakeAuthority(_folder, "ca");
        var (_, own) = TestCertificates.Issue(authority, _folder, "silo-1", _password);
        var (_, impostor) = TestCertificates.MakeAuthority(_folder, "impostor");
        var (_, forged) = TestCertificates.Issue(impostor, _folder, "silo-2", _password);
        using var presented = new X509Chain();
        presented.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        presented.ChainPolicy.CustomTrustStore.Add(impostor);
        presented.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        Assert.True(presented.Build(forged));

        Assert.False(new ClusterPeerTrust(own, authority).Accepts(forged, presented));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
