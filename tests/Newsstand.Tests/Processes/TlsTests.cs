using System.Net.Http.Json;
using Newsstand.Client.Hosting;
using Newsstand.Hosting;
using Newsstand.Tests.Infrastructure;
using Orleans.Connections.Security;

namespace Newsstand.Tests.Processes;

/// <summary>
/// Silo processes and the web client configured with certificates the test makes: silo-to-silo and
/// client-to-gateway traffic runs over TLS; a client without TLS, or with a certificate that is neither the
/// configured one nor issued by the configured CA, cannot talk to the cluster, even one every host's machine
/// trust store holds.
/// </summary>
[Collection(ProcessTestsDefinition.Name)]
public sealed class TlsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nsms-tls-").FullName;

    [Fact]
    public async Task SilosAndTheClientTalkTlsAndAClientWithoutItIsRefused()
    {
        var password = TestCertificates.NewPassword();
        var (path, certificate) = TestCertificates.Make(_folder, "nsms-test-cluster", password);
        await using var cluster = await ProcessCluster.StartAsync(silos: 2, environment: new Dictionary<string, string>
        {
            ["Orleans__Tls__CertificatePath"] = path,
            ["Orleans__Tls__CertificatePassword"] = password,
        });

        // Through the TLS web client: a login and a vendor written and read back.
        using var http = new HttpClient { BaseAddress = cluster.ClientUrl };
        var login = Ids.Next();
        var vendor = Ids.Next();
        (await http.PostAsync("/ch08/login/add", JsonContent.Create(Bodies.Login(login)))).EnsureSuccessStatusCode();
        (await http.PostAsync("/ch08/vendor/add", JsonContent.Create(Bodies.Vendor(vendor, login)))).EnsureSuccessStatusCode();
        Assert.Contains(await http.ListAsync("/ch08/vendor/list?limit=10000"), v => (int)v!["id"]! == vendor);

        // Both silos are active members (they probe each other over TLS) and answer a call fanned out to every silo.
        await using (var management = await ManagementClient.ConnectAsync(cluster, client => client.UseClusterTls(new ClusterPeerTrust(certificate, authority: null))))
        {
            Assert.Equal(cluster.Silos.Select(s => s.SiloPort).Order(), await management.ActiveSiloPortsAsync());
            Assert.NotEmpty(await management.NewsstandActivationsAsync());
        }

        // Without TLS the gateway closes the connection in the handshake: the client cannot connect.
        Assert.All(cluster.Silos, silo => Assert.DoesNotContain("TlsServerConnectionMiddleware", silo.Host.Output, StringComparison.Ordinal));
        var refused = cluster.Silos.Select(silo => silo.Host.WaitForLineAsync(line => line.Contains("TlsServerConnectionMiddleware", StringComparison.Ordinal), ProcessCluster.StartTimeout)).ToList();
        var plain = ManagementClient.ConnectAsync(cluster, client => client.UseConnectionRetryFilter((_, _) => Task.FromResult(false)));
        var failure = await Record.ExceptionAsync(() => plain);
        Assert.NotNull(failure);
        Assert.IsNotType<TimeoutException>(failure);
        await Task.WhenAny(refused);
        Assert.Contains(refused.Where(r => r.IsCompletedSuccessfully), r => r.Result.Contains("TlsServerConnectionMiddleware", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OnlyTheConfiguredCertificateOrOneTheCaIssuedIsAcceptedNotOneTheMachineTrusts()
    {
        var password = TestCertificates.NewPassword();
        var (authorityPath, authority) = TestCertificates.MakeAuthority(_folder, "nsms-test-ca");
        var (siloPath, siloCertificate) = TestCertificates.Issue(authority, _folder, "nsms-test-silo", password);
        var (_, member) = TestCertificates.Issue(authority, _folder, "nsms-test-member", password);
        var (_, stranger) = TestCertificates.Make(_folder, "nsms-test-stranger", password);
        await using var cluster = await ProcessCluster.StartAsync(silos: 1, environment: new Dictionary<string, string>
        {
            ["Orleans__Tls__CertificatePath"] = siloPath,
            ["Orleans__Tls__CertificatePassword"] = password,
            ["Orleans__Tls__CaCertificatePath"] = authorityPath,
            // The hosts' machine trust store (.NET on Linux reads it through OpenSSL) holds the stranger's certificate.
            ["SSL_CERT_FILE"] = TestCertificates.WritePem(_folder, "machine-trust", stranger),
        });
        var ports = cluster.Silos.Select(silo => silo.SiloPort).Order();

        // The web client presents the configured certificate; another client one the CA issued.
        using var http = new HttpClient { BaseAddress = cluster.ClientUrl };
        (await http.PostAsync("/ch08/login/add", JsonContent.Create(Bodies.Login(Ids.Next())))).EnsureSuccessStatusCode();
        await using (var issued = await ManagementClient.ConnectAsync(cluster, client => client.UseClusterTls(new ClusterPeerTrust(member, authority))))
        {
            Assert.Equal(ports, await issued.ActiveSiloPortsAsync());
        }

        // A client presenting the machine-trusted stranger (and accepting any silo) is refused in the handshake.
        var intruder = ManagementClient.ConnectAsync(cluster, client => client
            .UseTls(stranger, options =>
            {
                options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
                options.RemoteCertificateValidation = (_, _, _) => true;
            })
            .UseConnectionRetryFilter((_, _) => Task.FromResult(false)));
        var failure = await Record.ExceptionAsync(() => intruder);
        Assert.NotNull(failure);
        Assert.IsNotType<TimeoutException>(failure);
        await cluster.Silos[0].Host.WaitForLineAsync(line => line.Contains("TlsServerConnectionMiddleware", StringComparison.Ordinal), ProcessCluster.StartTimeout);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
