using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Processes;

/// <summary>The built hosts refuse to start, with a message naming the key to change, when their ports or settings are wrong.</summary>
[Collection(ProcessTestsDefinition.Name)]
public sealed class HostStartTests
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("Orleans:SiloPort")]
    [InlineData("Orleans:GatewayPort")]
    public async Task SiloDoesNotStartWhenAnotherProcessListensOnItsPort(string key)
    {
        // The other listener shares ports the way Orleans' own listeners do (address reuse).
        using var other = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        other.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        other.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        other.Listen();
        var taken = ((IPEndPoint)other.LocalEndPoint!).Port;
        var settings = SiloSettings();
        settings[key.Replace(":", "__", StringComparison.Ordinal)] = taken.ToString(CultureInfo.InvariantCulture);

        var (exitCode, output) = await RunSiloAsync(settings);

        Assert.Equal(2, exitCode);
        Assert.Contains($"Port {taken} ({key}) on 127.0.0.1 is already in use by another process", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SiloDoesNotStartWhenItsWebAddressIsTaken()
    {
        using var other = ListenOnAnyPort(out var taken);
        var settings = SiloSettings();
        settings["Urls"] = $"http://localhost:{taken}";

        var (exitCode, output) = await RunSiloAsync(settings);

        Assert.Equal(2, exitCode);
        Assert.Contains($"The silo cannot start: Port {taken} (Urls (http://localhost:{taken})) on 127.0.0.1 is already in use", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Urls")]
    [InlineData("HttpEndpoints:H2cPort")]
    public async Task WebClientDoesNotStartWhenItsPortIsTakenAndNamesTheSetting(string key)
    {
        // No silo runs: the check comes before the client looks for a gateway.
        using var other = ListenOnAnyPort(out var taken);
        var settings = new Dictionary<string, string>
        {
            ["Urls"] = $"http://127.0.0.1:{BuiltHosts.FreePort()}",
            ["Orleans__GatewayPorts__0"] = BuiltHosts.FreePort().ToString(CultureInfo.InvariantCulture),
        };
        if (key == "Urls")
        {
            settings["Urls"] = $"http://127.0.0.1:{taken}";
        }
        else
        {
            settings[key.Replace(":", "__", StringComparison.Ordinal)] = taken.ToString(CultureInfo.InvariantCulture);
        }

        await using var client = HostProcess.Start("client", BuiltHosts.Client, settings);
        var exitCode = await client.Exited.WaitAsync(ExitTimeout);

        Assert.Equal(2, exitCode);
        Assert.Contains($"The web client cannot start: Port {taken} (", client.Output, StringComparison.Ordinal);
        Assert.Contains(key, client.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WebClientDoesNotStartWithAnUnreadableClusterCertificateAndNamesIt()
    {
        var settings = new Dictionary<string, string>
        {
            ["Urls"] = $"http://127.0.0.1:{BuiltHosts.FreePort()}",
            ["Orleans__GatewayPorts__0"] = BuiltHosts.FreePort().ToString(CultureInfo.InvariantCulture),
            ["Orleans__Tls__CertificatePath"] = "/nonexistent/cluster.pfx",
            ["Orleans__Tls__CertificatePassword"] = "not-shown-anywhere",
        };

        await using var client = HostProcess.Start("client", BuiltHosts.Client, settings);
        var exitCode = await client.Exited.WaitAsync(ExitTimeout);

        Assert.Equal(2, exitCode);
        Assert.Contains("The web client cannot start: Orleans:Tls:CertificatePath: cannot read the certificate /nonexistent/cluster.pfx", client.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("not-shown-anywhere", client.Output, StringComparison.Ordinal);
    }

    private static Socket ListenOnAnyPort(out int port)
    {
        var other = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        other.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        other.Listen();
        port = ((IPEndPoint)other.LocalEndPoint!).Port;
        return other;
    }

    [Theory]
    [InlineData("Orleans__SiloPort", "0", "Orleans:SiloPort")]
    [InlineData("Orleans__AdvertisedAddress", "not-an-ip", "Orleans:AdvertisedAddress")]
    [InlineData("Orleans__RedisClustering", "127.0.0.1:6379,nosuchoption=1", "Orleans:RedisClustering")]
    [InlineData("Dashboard__AdminUrl", "http://127.0.0.1:1", "Dashboard:Username")]
    [InlineData("Orleans__Tls__CertificatePath", "/nonexistent/cluster.pfx", "Orleans:Tls:CertificatePath")]
    [InlineData("Orleans__Tls__CaCertificatePath", "/nonexistent/ca.pem", "Orleans:Tls:CaCertificatePath")]
    [InlineData("ProfileKeys__CertificatePath", "/nonexistent/keys.pfx", "ProfileKeys:CertificatePath")]
    [InlineData("Tables__ChunkIdleAge", "soon", "Tables:ChunkIdleAge")]
    [InlineData("Hashing__Iterations", "10", "Hashing:Iterations")]
    [InlineData("Orleans__Membership__ProbeTimeout", "abc", "Orleans:Membership:ProbeTimeout")]
    [InlineData("Orleans__Membership__NumMissedProbesLimit", "many", "Orleans:Membership:NumMissedProbesLimit")]
    public async Task SiloDoesNotStartWithAnInvalidSettingAndNamesIt(string variable, string value, string named)
    {
        var settings = SiloSettings();
        settings[variable] = value;

        var (exitCode, output) = await RunSiloAsync(settings);

        Assert.Equal(2, exitCode);
        Assert.Contains("The silo cannot start", output, StringComparison.Ordinal);
        Assert.Contains(named, output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Orleans__GatewayPorts__0", "abc", "Orleans:GatewayPorts:0")]
    [InlineData("Orleans__GatewayPorts__0", "70000", "Orleans:GatewayPorts")]
    [InlineData("Orleans__RedisClustering", "127.0.0.1:6379,nosuchoption=1", "Orleans:RedisClustering")]
    [InlineData("HeavyRequests__ShedPause", "abc", "HeavyRequests:ShedPause")]
    [InlineData("AbuseLimits__VerifyPerUsername__Permits", "0", "AbuseLimits:VerifyPerUsername:Permits")]
    [InlineData("ConnectionLimits__KeepAliveTimeout", "00:00:00", "ConnectionLimits:KeepAliveTimeout")]
    [InlineData("HttpEndpoints__HttpsPort", "8443", "HttpEndpoints:CertificatePath")]
    [InlineData("ForwardedHeaders__KnownNetworks__0", "10.0.0.1/8", "ForwardedHeaders:KnownNetworks:0: is not a network in CIDR notation")]
    [InlineData("ForwardedHeaders__KnownNetworks__0", "10.0.0.0/33", "ForwardedHeaders:KnownNetworks:0: is not a network in CIDR notation")]
    [InlineData("ForwardedHeaders__KnownProxies__0", "ingress", "ForwardedHeaders:KnownProxies:0: is not an IP address")]
    [InlineData("Orleans__Tls__CaCertificatePath", "/nonexistent/ca.pem", "Orleans:Tls:CaCertificatePath: a CA is configured but TLS is off")]
    [InlineData("Orleans__Messaging__ResponseTimeout", "abc", "Orleans:Messaging:ResponseTimeout")]
    public async Task WebClientDoesNotStartWithAnInvalidSettingAndNamesIt(string variable, string value, string named)
    {
        var settings = new Dictionary<string, string>
        {
            ["Urls"] = $"http://127.0.0.1:{BuiltHosts.FreePort()}",
            ["Orleans__GatewayPorts__0"] = BuiltHosts.FreePort().ToString(CultureInfo.InvariantCulture),
        };
        settings[variable] = value;

        await using var client = HostProcess.Start("client", BuiltHosts.Client, settings);
        var exitCode = await client.Exited.WaitAsync(ExitTimeout);

        Assert.Equal(2, exitCode);
        Assert.Contains($"The web client cannot start: ", client.Output, StringComparison.Ordinal);
        Assert.Contains(named, client.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", client.Output, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> SiloSettings() => new()
    {
        ["Orleans__SiloPort"] = BuiltHosts.FreePort().ToString(CultureInfo.InvariantCulture),
        ["Orleans__GatewayPort"] = BuiltHosts.FreePort().ToString(CultureInfo.InvariantCulture),
        ["Urls"] = $"http://127.0.0.1:{BuiltHosts.FreePort()}",
        ["Database__DataDirectory"] = Path.Combine(Path.GetTempPath(), "nsms-start-" + Guid.NewGuid().ToString("N")),
    };

    private static async Task<(int ExitCode, string Output)> RunSiloAsync(Dictionary<string, string> settings)
    {
        try
        {
            await using var silo = HostProcess.Start("silo", BuiltHosts.Silo, settings);
            var exitCode = await silo.Exited.WaitAsync(ExitTimeout);
            return (exitCode, silo.Output);
        }
        finally
        {
            // A silo that wrongly started has created its data directory.
            if (Directory.Exists(settings["Database__DataDirectory"]))
            {
                Directory.Delete(settings["Database__DataDirectory"], recursive: true);
            }
        }
    }
}
