using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Newsstand.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Newsstand.Tests.Processes;

/// <summary><c>cluster.sh</c> as a person runs it (on the build the tests run on): a silo that dies is reported and the rest keep serving.</summary>
[Collection(ProcessTestsDefinition.Name)]
public sealed class ClusterScriptTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task ClusterShReportsASiloThatDiesAndTheOthersKeepServing()
    {
        var data = Directory.CreateTempSubdirectory("nsms-cluster-sh-").FullName;
        var client = BuiltHosts.FreePort();
        await using var script = HostProcess.Start("cluster.sh", Repository.PathOf("cluster.sh"), new Dictionary<string, string>
        {
            ["NSMS_SKIP_BUILD"] = "1",
            ["NSMS_SILOS"] = "2",
            ["NSMS_CLIENT_PORT"] = Port(client),
            ["NSMS_SILO_PORT"] = Port(LoopbackPorts.FreeBlock(2)),
            ["NSMS_GATEWAY_PORT"] = Port(LoopbackPorts.FreeBlock(2)),
            ["NSMS_SILO_WEB_PORT"] = Port(LoopbackPorts.FreeBlock(2)),
            ["NSMS_DASHBOARD_PORT"] = Port(LoopbackPorts.FreeBlock(2)),
            ["NSMS_REDIS_PORT"] = Port(BuiltHosts.FreePort()),
            ["NSMS_PG_PORT"] = Port(BuiltHosts.FreePort()),
            ["Database__DataDirectory"] = data,
            ["Hashing__Iterations"] = "1000",
            // Two silos: the survivor's own vote must evict the other.
            ["Orleans__Membership__NumVotesForDeathDeclaration"] = "1",
        });
        try
        {
            var pids = (await script.WaitForLineAsync(line => line.TrimStart().StartsWith("silo PIDs", StringComparison.Ordinal), Patience))
                .Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(2).Take(2).Select(int.Parse).ToList();
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{client}"), Timeout = TimeSpan.FromSeconds(30) };
            var login = Ids.Next();
            (await http.PostAsync("/ch08/login/add", JsonContent.Create(Bodies.Login(login)))).EnsureSuccessStatusCode();

            await Commands.RunAsync("kill", "-KILL", Port(pids[0]));

            await script.WaitForLineAsync(line => line.Contains($"silo-1 (pid {pids[0]}) was killed (KILL)", StringComparison.Ordinal), Patience);
            await script.WaitForLineAsync(line => line.Contains("1 of 2 silos serve on", StringComparison.Ordinal), Patience);
            // Until the survivor has evicted the dead silo, a call that went there ends in 503 (outcome unknown): the
            // same add again then answers 200, or 409 if the first one landed; a list is simply asked again.
            var vendor = Ids.Next();
            using var budget = new CancellationTokenSource(Patience);
            var added = await UntilAvailableAsync(() => http.PostAsync("/ch08/vendor/add", JsonContent.Create(Bodies.Vendor(vendor, login)), budget.Token));
            Assert.True(added[^1] == HttpStatusCode.OK || (added[^1] == HttpStatusCode.Conflict && added.Count > 1), string.Join(", ", added));
            Assert.Equal(HttpStatusCode.OK, (await UntilAvailableAsync(() => http.GetAsync("/ch08/vendor/list?limit=10000", budget.Token)))[^1]);
            Assert.Contains(await http.ListAsync("/ch08/vendor/list?limit=10000"), v => (int)v!["id"]! == vendor);
            Assert.False(script.Exited.IsCompleted, "cluster.sh stopped when one of its silos died.");
        }
        catch
        {
            output.WriteLine(script.Output);
            throw;
        }
        finally
        {
            // Ctrl+C's signal: the script stops what it started (web client, silo, Redis, PostgreSQL) by PID.
            await script.StopAsync(Patience);
            Directory.Delete(data, recursive: true);
        }
        Assert.Contains("Stopped. Logs:", script.Output, StringComparison.Ordinal);
    }

    /// <summary>The statuses of <paramref name="send"/>, sent again while it answers 503.</summary>
    private static async Task<List<HttpStatusCode>> UntilAvailableAsync(Func<Task<HttpResponseMessage>> send)
    {
        var statuses = new List<HttpStatusCode>();
        do
        {
            using var response = await send();
            statuses.Add(response.StatusCode);
        }
        while (statuses[^1] == HttpStatusCode.ServiceUnavailable);
        return statuses;
    }

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);
}
