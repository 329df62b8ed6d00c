using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Processes;

/// <summary>A silo without dashboard configuration answers the dashboard to loopback callers only, even when its web port listens everywhere.</summary>
[Collection(ProcessTestsDefinition.Name)]
public sealed class DashboardLoopbackTests
{
    [Fact]
    public async Task WithoutConfigurationTheDashboardAnswersOnlyLoopbackCallers()
    {
        var local = NonLoopbackAddress();
        var web = BuiltHosts.FreePort();
        var data = Path.Combine(Path.GetTempPath(), "nsms-loopback-" + Guid.NewGuid().ToString("N"));
        try
        {
            await AssertDashboardAnswersOnlyLoopbackAsync(local, web, data);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task AssertDashboardAnswersOnlyLoopbackAsync(IPAddress local, int web, string data)
    {
        await using var silo = HostProcess.Start("silo", BuiltHosts.Silo, new Dictionary<string, string>
        {
            ["Orleans__SiloPort"] = BuiltHosts.FreePort().ToString(CultureInfo.InvariantCulture),
            ["Orleans__GatewayPort"] = BuiltHosts.FreePort().ToString(CultureInfo.InvariantCulture),
            ["Urls"] = $"http://0.0.0.0:{web}",
            ["Database__DataDirectory"] = data,
        });
        await silo.WaitStartedAsync(ProcessCluster.StartTimeout);
        using var http = new HttpClient();

        using var fromLoopback = await http.GetAsync(new Uri($"http://127.0.0.1:{web}/dashboard/"));
        // Connecting to the machine's own address makes that address the caller's, not loopback.
        using var fromNetwork = await http.GetAsync(new Uri($"http://{local}:{web}/dashboard/"));
        using var healthFromNetwork = await http.GetAsync(new Uri($"http://{local}:{web}/health/live"));

        Assert.Equal(HttpStatusCode.OK, fromLoopback.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, fromNetwork.StatusCode);
        Assert.Equal(HttpStatusCode.OK, healthFromNetwork.StatusCode);
    }

    private static IPAddress NonLoopbackAddress() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(nic => nic.OperationalStatus == OperationalStatus.Up)
            .SelectMany(nic => nic.GetIPProperties().UnicastAddresses)
            .Select(unicast => unicast.Address)
            .FirstOrDefault(address => address.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(address))
        ?? throw new InvalidOperationException("This test needs one non-loopback IPv4 address on the machine.");
}
