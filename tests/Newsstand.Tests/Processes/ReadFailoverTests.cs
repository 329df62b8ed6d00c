using Newsstand.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Newsstand.Tests.Processes;

/// <summary>
/// Reads through a silo's death: two or three silo processes, Redis clustering, PostgreSQL and the web client; a silo
/// holding table indexes is killed with SIGKILL while readers page through the lists. Prints how long membership took
/// to declare it dead, the longest read and the longest time no read was answered. The web client gives up the reads
/// under way as soon as its connection to the killed silo closes and sends them again until the index has moved; with
/// three silos the reads sent again go over a live gateway, which forwards them to the dead silo until its death is
/// declared (unanswered: only a short attempt timeout after the loss ends them, as under <c>cluster.sh</c>). No read
/// waits for the full attempt timeout, and reads stop only while membership declares the silo dead.
/// </summary>
[Collection(ProcessTestsDefinition.Name)]
public sealed class ReadFailoverTests(ITestOutputHelper output)
{
    private const int Readers = 4;
    private const int ReadsAfterDeath = 100;
    private static readonly TimeSpan LoadBudget = TimeSpan.FromSeconds(90);
    // After the death is declared, the cluster recovers (the survivors learn of it, the directory takes over the dead
    // silo's range, the index moves: one activation, a grouped count) and the reads find it on their next retry (a
    // retry pauses at most 200 ms; an attempt the survivors forwarded to the dead silo is given up after
    // Reads__AttemptTimeoutAfterGatewayLoss, growing from 250 ms). The recovery alone took 0.1-0.35 s past the
    // declaration under cluster.sh and up to 0.52 s in a loaded full test run (bench/README.md, "Reads through a
    // silo's death"): reads stop no longer than this past the declaration, far below an attempt timeout.
    private static readonly TimeSpan AfterDeclaredDead = TimeSpan.FromSeconds(1);
    // One read may take longer than the gap around it (a retry the dead silo's gateway forwarded went unanswered
    // until the index moved; measured up to 0.56 s past the declaration on 2 loaded cores), never an attempt timeout.
    private static readonly TimeSpan ReadAfterDeclaredDead = TimeSpan.FromSeconds(1);
    // Longer than the default 2 s, so that a read ended by its attempt timeout (what a read sent over the dead
    // connection waited before) stands apart from one that waited for membership.
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(4);

    private static readonly Dictionary<string, string> Settings = new()
    {
        ["Logging__LogLevel__Orleans.Runtime.MembershipService"] = "Information",
        ["Orleans__Membership__NumVotesForDeathDeclaration"] = "1",
        ["Reads__AttemptTimeout"] = AttemptTimeout.ToString(),
    };

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task NoReadWaitsLongerThanMembershipTakesToDeclareTheSiloDeadNorFails(int silos)
    {
        await using var cluster = await ProcessCluster.StartAsync(silos, environment: Settings);
        await using var management = await ManagementClient.ConnectAsync(cluster);
        using var http = new HttpClient { BaseAddress = cluster.ClientUrl, Timeout = TimeSpan.FromSeconds(30) };
        var (login, _) = await http.AddLoginAndVendorAsync();
        for (var i = 0; i < 20; i++)
        {
            await http.AddAsync("vendor", Bodies.Vendor(Ids.Next(), login));
        }
        await management.ReplaceIdleActivationsAsync();
        var load = new WriteLoad(http);

        using var stop = new CancellationTokenSource(LoadBudget);
        var running = Enumerable.Range(0, Readers).Select(_ => load.RunAsync(Reads(), stop.Token)).ToArray();
        await load.When(answers => answers.Count(a => a.Acknowledged) >= 100).WaitAsync(LoadBudget);

        var indexes = await management.PortsHostingAsync("TableIndexGrain", "");
        // The indexes answer every list read; they stay on the silo that warmed them at its start.
        var victim = cluster.Silos.First(silo => indexes.Contains(silo.SiloPort));
        var survivors = cluster.Silos.Where(silo => silo != victim).ToArray();
        output.WriteLine($"Table indexes on silo ports {string.Join(", ", indexes)}; killing {victim.Name} (pid {victim.Host.Pid}).");

        var killedAt = load.Clock.Elapsed;
        victim.Host.Kill();
        // Whichever survivor writes the death to the membership table logs it.
        await await Task.WhenAny(survivors.Select(survivor => survivor.Host.WaitForLineAsync(line => line.Contains("Evicting '", StringComparison.Ordinal)
            && line.Contains($":{victim.SiloPort}:", StringComparison.Ordinal), LoadBudget)));
        var declaredDead = load.Clock.Elapsed - killedAt;
        await load.When(answers => answers.Count(a => a.Acknowledged && a.Started > killedAt + declaredDead) >= ReadsAfterDeath).WaitAsync(LoadBudget);
        await stop.CancelAsync();
        await Task.WhenAll(running);

        var reads = load.Answers.Where(a => a.Status != 0).ToArray();
        var longest = reads.MaxBy(a => a.Ended - a.Started)!;
        var answered = reads.Where(a => a.Acknowledged).Select(a => a.Ended).Order().ToArray();
        // The longest stretch without an answered read that reaches past the kill.
        var gap = answered.Zip(answered.Skip(1), (before, after) => (Before: before, After: after))
            .Where(pair => pair.After > killedAt).Max(pair => pair.After - pair.Before);
        output.WriteLine($"Declared dead {declaredDead.TotalSeconds:0.00} s after the kill; longest read {(longest.Ended - longest.Started).TotalSeconds:0.00} s "
            + $"({longest.Request.Path}, started {(longest.Started - killedAt).TotalSeconds:+0.00;-0.00} s from the kill); longest time without an answered read "
            + $"{gap.TotalSeconds:0.00} s; reads: {load.StatusCounts()}.");

        Assert.All(reads, read => Assert.True(read.Acknowledged, $"{read.Request.Path}: {read.Status} {read.Problem}"));
        Assert.True(longest.Ended - longest.Started < AttemptTimeout, "A read waited for an attempt timeout.");
        Assert.True(longest.Ended - longest.Started <= declaredDead + ReadAfterDeclaredDead,
            $"A read took {(longest.Ended - longest.Started).TotalSeconds:0.00} s; membership took {declaredDead.TotalSeconds:0.00} s.");
        Assert.True(gap <= declaredDead + AfterDeclaredDead, $"Reads stopped for {gap.TotalSeconds:0.00} s; membership took {declaredDead.TotalSeconds:0.00} s.");
    }

    private static IEnumerable<WriteLoad.Planned> Reads()
    {
        while (true)
        {
            yield return WriteLoad.Planned.Get("/ch08/vendor/list?limit=10", "read");
            yield return WriteLoad.Planned.Get("/ch08/login/list/all?limit=5&offset=1", "read");
            yield return WriteLoad.Planned.Get("/ch08/publication/list", "read");
        }
    }
}
