using Newsstand.Tests.Infrastructure;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Newsstand.Tests.Processes;

/// <summary>
/// Three silo processes on Redis, vendor adds running through the web client, and Redis flushed (what a
/// restart without persistence does too): the cluster keeps serving, the silos write the table back, and a
/// fourth silo joins the same cluster afterwards.
/// </summary>
[Collection(ProcessTestsDefinition.Name)]
public sealed class MembershipStoreLossTests(ITestOutputHelper output)
{
    private const int WritesPerPhase = 30;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task AfterRedisLosesTheMembershipTableTheClusterKeepsServingAndAFourthSiloJoinsIt()
    {
        await using var cluster = await ProcessCluster.StartAsync(silos: 3);
        using var http = new HttpClient { BaseAddress = cluster.ClientUrl, Timeout = TimeSpan.FromSeconds(20) };
        var load = new WriteLoad(http);
        var login = Ids.Next();
        // 409: an earlier try that answered 503 (outcome unknown) did add it.
        var added = await load.SendUntilAnsweredAsync(WriteLoad.Planned.Add("login", login, Bodies.Login(login)), Budget);
        Assert.True(added.Status is 200 or 409, $"login/add: {added.Status} {added.Problem}");
        using var stop = new CancellationTokenSource(Budget);
        var writing = load.RunAsync(WriteLoad.Adds("vendor", Ids.Next() * 1000, id => Bodies.Vendor(id, login)), stop.Token);
        await load.When(answers => answers.Count(a => a.Acknowledged) >= WritesPerPhase).WaitAsync(Budget);

        await using (var redis = await ConnectionMultiplexer.ConnectAsync(cluster.RedisConnection + ",allowAdmin=true"))
        {
            await redis.GetServers().Single().FlushAllDatabasesAsync();
        }
        var flushedAt = load.Clock.Elapsed;
        var repaired = await Task.WhenAll(cluster.Silos.Select(silo =>
            silo.Host.WaitForLineAsync(line => line.Contains("wrote it back", StringComparison.Ordinal), Budget)));
        output.WriteLine($"Row written back {(load.Clock.Elapsed - flushedAt).TotalSeconds:0.0} s after FLUSHALL at the latest:\n{string.Join('\n', repaired)}");

        var fourth = await cluster.StartAnotherSiloAsync();
        var joinedAt = load.Clock.Elapsed;
        var everyPort = cluster.Silos.Select(silo => silo.SiloPort).Order().ToArray();
        foreach (var silo in cluster.Silos)
        {
            await using var view = await ManagementClient.ConnectToGatewayAsync(cluster, silo);
            Assert.Equal(everyPort, await ViewOnceItHasAsync(view, everyPort));
        }
        await load.When(answers => answers.Count(a => a.Acknowledged && a.Started > joinedAt) >= WritesPerPhase).WaitAsync(Budget);
        await stop.CancelAsync();
        await writing;

        output.WriteLine($"Answers: {load.StatusCounts()}; {fourth.Name} joined {(joinedAt - flushedAt).TotalSeconds:0.0} s after FLUSHALL.");
        // Served throughout: nothing but 200, or a 503 shed properly (a busy machine's timeout: outcome unknown).
        Assert.All(load.Answers.Where(a => a.Status != 0), a => Assert.True(a.Status == 200 || (a.Status == 503 && a.ShedProperly), $"{a.Request.Id}: {a.Status} {a.Problem}"));
        Assert.Contains(load.Answers, a => a.Acknowledged && a.Started > flushedAt && a.Started < joinedAt);
        var acknowledged = load.Acknowledged("vendor");
        Assert.Empty(acknowledged.Except(await cluster.CommittedIdsAsync("vendor", acknowledged)));
        Assert.False(cluster.Client.Exited.IsCompleted, "The web client exited.");
        Assert.All(cluster.Silos, silo => Assert.False(silo.Host.Exited.IsCompleted, $"{silo.Name} exited:\n{silo.Output}"));
    }

    /// <summary>
    /// The active silos of one silo's view once it lists <paramref name="expected"/> (a view takes the table on its
    /// next refresh, two seconds here), or as it stands when the budget runs out.
    /// </summary>
    private static async Task<int[]> ViewOnceItHasAsync(ManagementClient view, int[] expected)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        using var refresh = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        var ports = await view.ActiveSiloPortsAsync();
        while (!ports.SequenceEqual(expected) && waited.Elapsed < Budget && await refresh.WaitForNextTickAsync())
        {
            ports = await view.ActiveSiloPortsAsync();
        }
        return ports;
    }
}
