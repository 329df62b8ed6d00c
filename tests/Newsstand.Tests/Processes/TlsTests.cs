using System.Net.Http.Json;
using Newsstand.Client.Hosting;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Processes;

/// <summary>
/// Two silo processes and the web client configured with a cluster certificate the test makes: silo-to-silo
/// and client-to-gateway traffic runs over TLS, and a client without TLS cannot talk to the cluster.
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
        await using (var management = await ManagementClient.ConnectAsync(cluster, client => client.UseClusterTls(certificate)))
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

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
