using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Newsstand.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Newsstand.Tests.Processes;

/// <summary>
/// Two silo processes, Redis clustering, PostgreSQL and the web client as real processes; the silo hosting
/// most of our grains is killed with SIGKILL under mixed load: writes to three tables, light reads and
/// password work, all through the HTTP API.
/// </summary>
[Collection(ProcessTestsDefinition.Name)]
public sealed class FailoverTests(ITestOutputHelper output)
{
    private const int Writers = 4;
    private const int WritesBeforeKill = 60;
    private const int WritesPerTableAfterKill = 20;
    private static readonly string[] Tables = ["vendor", "customer", "subscription"];
    private static readonly TimeSpan LoadBudget = TimeSpan.FromSeconds(90);

    private static readonly Dictionary<string, string> Settings = new()
    {
        // All load comes from 127.0.0.1: the per-address limits of the password routes would turn it into 429s.
        ["AbuseLimits__AddPerAddress__Permits"] = "1000000",
        ["AbuseLimits__VerifyPerAddress__Permits"] = "1000000",
        // The survivor's line "Evicting '<silo>'" tells the test when the dead silo left the membership.
        ["Logging__LogLevel__Orleans.Runtime.MembershipService"] = "Information",
        // Two silos: the survivor's own vote must evict the other (Orleans' default asks for two votes, which a
        // two-silo cluster never gathers once one is dead).
        ["Orleans__Membership__NumVotesForDeathDeclaration"] = "1",
    };

    [Fact]
    public async Task KillingOneOfTwoSilosUnderMixedLoadLosesNoAcknowledgedWriteAndTheClientReconnectsByItself()
    {
        await using var cluster = await ProcessCluster.StartAsync(silos: 2, environment: Settings);
        await using var management = await ManagementClient.ConnectAsync(cluster);
        using var http = new HttpClient { BaseAddress = cluster.ClientUrl, Timeout = TimeSpan.FromSeconds(20) };
        var login = 900_000 + Random.Shared.Next(99_999);
        (await http.PostAsync("/ch08/login/add", JsonContent.Create(Bodies.Login(login)))).EnsureSuccessStatusCode();
        var load = new WriteLoad(http);
        await management.ReplaceIdleActivationsAsync();

        using var stop = new CancellationTokenSource(LoadBudget);
        Task[] running =
        [
            .. Enumerable.Range(1, Writers).Select(n => load.RunAsync(Records(1_000_000 * n, login), stop.Token)),
            load.RunAsync(Reads(), stop.Token),
            load.RunAsync(Reads(), stop.Token),
            load.RunAsync(PasswordWork(2_000_000_000 - 100_000), stop.Token),
        ];
        await load.When(answers => answers.Count(a => a.Acknowledged && Tables.Contains(a.Request.Table)) >= WritesBeforeKill).WaitAsync(LoadBudget);

        var placement = await management.NewsstandActivationsAsync();
        var victim = cluster.Silos.MaxBy(silo => placement.GetValueOrDefault(silo.SiloPort))!;
        var survivor = cluster.Silos.Single(silo => silo != victim);
        output.WriteLine($"Newsstand activations by silo port before the kill: {Describe(placement)}; killing {victim.Name} (pid {victim.Host.Pid}).");
        Assert.True(placement.GetValueOrDefault(victim.SiloPort) > 0, "The silo to kill hosts none of our grains.");

        var killedAt = load.Clock.Elapsed;
        victim.Host.Kill();
        // The survivor declares it dead (membership probes of 1 s); until then calls to it wait out the client's timeout.
        await survivor.Host.WaitForLineAsync(line => line.Contains("Evicting '", StringComparison.Ordinal)
            && line.Contains($":{victim.SiloPort}:", StringComparison.Ordinal), LoadBudget);
        var declaredDeadAt = load.Clock.Elapsed;
        await load.When(answers => Tables.Concat(["login", "read"]).All(kind =>
            answers.Count(a => a.Request.Table == kind && a.Acknowledged && a.Started > declaredDeadAt) >= WritesPerTableAfterKill / (kind == "login" ? 10 : 1)))
            .WaitAsync(LoadBudget);
        await stop.CancelAsync();
        await Task.WhenAll(running);

        output.WriteLine($"Declared dead {(declaredDeadAt - killedAt).TotalSeconds:0.0} s after the kill; first acknowledged write started after the kill, per table: "
            + string.Join(", ", Tables.Select(t => $"{t} +{(load.Answers.Where(a => a.Request.Table == t && a.Acknowledged && a.Started > killedAt).Min(a => a.Started) - killedAt).TotalSeconds:0.00} s"))
            + $"; answers: {load.StatusCounts()}.");
        var after = await management.NewsstandActivationsAsync();
        output.WriteLine($"Newsstand activations by silo port after the kill: {Describe(after)}.");
        Assert.DoesNotContain(victim.SiloPort, after.Keys);
        Assert.NotEmpty(after);

        // Nothing the service got wrong: every answer is a success or a 503 (shed, or outcome unknown), but for what
        // follows a write that was not acknowledged: a subscription of such a customer (422), a verify of such a login (401).
        var logins = load.Acknowledged("login");
        Assert.All(load.Answers.Where(a => a.Status != 0), a => Assert.True(a.Status is 200 or 503
            || (a.Status == 422 && a.Request.Table == "subscription")
            || (a.Status == 401 && a.Request.Table == "verify" && !logins.Contains(a.Request.Id)),
            $"{a.Request.Method} {a.Request.Path} {a.Request.Id}: {a.Status} {a.Problem}"));
        foreach (var table in Tables.Append("login"))
        {
            var acknowledged = load.Acknowledged(table);
            var committed = await cluster.CommittedIdsAsync(table, acknowledged);
            Assert.Empty(acknowledged.Except(committed));
        }
        Assert.False(cluster.Client.Exited.IsCompleted, "The web client exited.");
        var listed = (await http.ListAsync("/ch08/vendor/list?limit=10000")).Select(v => (int)v!["id"]!).ToHashSet();
        Assert.Empty(load.Acknowledged("vendor").Except(listed));
    }

    /// <summary>A vendor, a customer and the customer's subscription, id after id.</summary>
    private static IEnumerable<WriteLoad.Planned> Records(int firstId, int login)
    {
        for (var id = firstId; ; id++)
        {
            yield return WriteLoad.Planned.Add("vendor", id, Bodies.Vendor(id, login));
            yield return WriteLoad.Planned.Add("customer", id, Bodies.Customer(id, login));
            yield return WriteLoad.Planned.Add("subscription", id, Bodies.Subscription(id, id));
        }
    }

    private static IEnumerable<WriteLoad.Planned> Reads()
    {
        while (true)
        {
            yield return WriteLoad.Planned.Get("/ch08/vendor/list?limit=50", "read");
            yield return WriteLoad.Planned.Get("/ch08/subscription/list/all?limit=20&offset=10", "read");
        }
    }

    /// <summary>Logins added and verified: the hashing lane's work beside the light load.</summary>
    private static IEnumerable<WriteLoad.Planned> PasswordWork(int firstId)
    {
        for (var id = firstId; ; id++)
        {
            var login = Bodies.Login(id, $"failover{id}", $"failover-password-{id}");
            yield return WriteLoad.Planned.Add("login", id, login);
            yield return new WriteLoad.Planned(HttpMethod.Post, "/ch08/login/verify",
                new JsonObject { ["username"] = login["username"]!.DeepClone(), ["password"] = login["password"]!.DeepClone() }, "verify", id);
        }
    }

    private static string Describe(Dictionary<int, int> placement) => string.Join(", ", placement.Select(p => $"{p.Key}: {p.Value}"));
}

/// <summary>Tests that run the built hosts as processes; they run one at a time (they share the two cores).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessTestsDefinition
{
    public const string Name = "Processes";
}
