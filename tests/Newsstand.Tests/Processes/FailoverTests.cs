using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Newsstand.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Newsstand.Tests.Processes;

/// <summary>
/// Three silo processes, Redis clustering, PostgreSQL and the web client as real processes; one silo is
/// killed with SIGKILL while writes run through the HTTP API.
/// </summary>
[Collection(ProcessTestsDefinition.Name)]
public sealed class FailoverTests(ITestOutputHelper output)
{
    private const int Writers = 6;
    private const int WritesBeforeKill = 60;
    private const int WritesPerTableAfterKill = 25;
    private static readonly TimeSpan LoadBudget = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task KillingASiloUnderWriteLoadLosesNoAcknowledgedWriteAndTheClientKeepsServing()
    {
        await using var cluster = await ProcessCluster.StartAsync(silos: 3);
        await using var management = await ManagementClient.ConnectAsync(cluster);
        using var http = new HttpClient { BaseAddress = cluster.ClientUrl, Timeout = TimeSpan.FromSeconds(20) };
        // One login for every record to refer to: the load itself stays off the rate-limited password routes.
        var login = 900_000 + Random.Shared.Next(99_999);
        (await http.PostAsync("/ch08/login/add", JsonContent.Create(Bodies.Login(login)))).EnsureSuccessStatusCode();
        var load = new WriteLoad(http, login);
        await management.ReplaceIdleActivationsAsync();

        using var stop = new CancellationTokenSource(LoadBudget);
        var writers = Enumerable.Range(0, Writers).Select(n => load.RunAsync(idBase: 1_000_000 * (n + 1), stop.Token)).ToArray();
        await load.Acknowledged(WritesBeforeKill).WaitAsync(LoadBudget);

        var placement = await management.NewsstandActivationsAsync();
        var victim = cluster.Silos.MaxBy(silo => placement.GetValueOrDefault(silo.SiloPort))!;
        output.WriteLine($"Newsstand activations by silo port before the kill: {Describe(placement)}; killing {victim.Name} (pid {victim.Host.Pid}).");
        Assert.True(placement.GetValueOrDefault(victim.SiloPort) > 0, "The silo to kill hosts none of our grains.");

        var killedAt = load.Clock.Elapsed;
        victim.Host.Kill();
        await load.AcknowledgedAfter(killedAt, WritesPerTableAfterKill).WaitAsync(LoadBudget);
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        var takeover = load.FirstAcknowledgedStartedAfter(killedAt);
        output.WriteLine($"Failover: first acknowledged write started after the kill, per table: {string.Join(", ", takeover.Select(t => $"{t.Key} +{t.Value.TotalSeconds:0.00} s"))}; "
            + $"longest pause between acknowledged writes: {load.LongestPause().TotalSeconds:0.00} s; answers: {load.StatusCounts()}.");

        await management.WaitUntilDeclaredDeadAsync(victim.SiloPort, LoadBudget);
        var after = await management.NewsstandActivationsAsync();
        output.WriteLine($"Newsstand activations by silo port after the kill: {Describe(after)}.");
        Assert.DoesNotContain(victim.SiloPort, after.Keys);
        Assert.NotEmpty(after);

        foreach (var table in WriteLoad.Tables)
        {
            var acknowledged = load.AcknowledgedIds(table);
            var committed = await cluster.CommittedIdsAsync(table, acknowledged);
            Assert.Empty(acknowledged.Except(committed));
        }
        Assert.False(cluster.Client.Exited.IsCompleted, "The web client exited.");
        var listed = (await http.GetFromJsonAsync<JsonArray>("/ch08/vendor/list?limit=10000"))!.Select(v => (int)v!["id"]!).ToHashSet();
        Assert.Empty(load.AcknowledgedIds("vendor").Except(listed));
    }

    private static string Describe(Dictionary<int, int> placement) => string.Join(", ", placement.Select(p => $"{p.Key}: {p.Value}"));

    /// <summary>Writers through the HTTP API: each adds a vendor, then a customer, both of one login; every answer is kept.</summary>
    private sealed class WriteLoad(HttpClient http, int login)
    {
        public static readonly string[] Tables = ["vendor", "customer"];

        private readonly ConcurrentBag<Write> _writes = [];
        private readonly ConcurrentBag<(Func<bool> Done, TaskCompletionSource Signal)> _waiters = [];

        public Stopwatch Clock { get; } = Stopwatch.StartNew();

        public async Task RunAsync(int idBase, CancellationToken stop)
        {
            for (var id = idBase; !stop.IsCancellationRequested; id++)
            {
                await WriteAsync("vendor", id, Bodies.Vendor(id, login), stop);
                await WriteAsync("customer", id, Bodies.Customer(id, login), stop);
            }
        }

        public Task Acknowledged(int count) => When(() => _writes.Count(w => w.Acknowledged) >= count);

        public Task AcknowledgedAfter(TimeSpan killedAt, int perTable) =>
            When(() => Tables.All(table => _writes.Count(w => w.Table == table && w.Acknowledged && w.Started > killedAt) >= perTable));

        public HashSet<int> AcknowledgedIds(string table) => _writes.Where(w => w.Table == table && w.Acknowledged).Select(w => w.Id).ToHashSet();

        public Dictionary<string, TimeSpan> FirstAcknowledgedStartedAfter(TimeSpan killedAt) =>
            Tables.ToDictionary(table => table, table => _writes.Where(w => w.Table == table && w.Acknowledged && w.Started > killedAt).Min(w => w.Started) - killedAt);

        public TimeSpan LongestPause()
        {
            var ends = _writes.Where(w => w.Acknowledged).Select(w => w.Ended).Order().ToList();
            return ends.Zip(ends.Skip(1), (a, b) => b - a).DefaultIfEmpty().Max();
        }

        public string StatusCounts() => string.Join(", ", _writes.GroupBy(w => w.Status).OrderBy(g => g.Key).Select(g => $"{g.Key}: {g.Count()}"));

        private async Task WriteAsync(string table, int id, JsonObject body, CancellationToken stop)
        {
            var started = Clock.Elapsed;
            int status;
            try
            {
                using var response = await http.PostAsync($"/ch08/{table}/add", JsonContent.Create(body), stop);
                status = (int)response.StatusCode;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // No answer (cancelled at the end, or timed out): not acknowledged, so nothing is promised.
                status = 0;
            }
            _writes.Add(new Write(table, id, status, started, Clock.Elapsed));
            foreach (var waiter in _waiters.Where(w => !w.Signal.Task.IsCompleted && w.Done()))
            {
                waiter.Signal.TrySetResult();
            }
        }

        private Task When(Func<bool> done)
        {
            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((done, signal));
            if (done())
            {
                signal.TrySetResult();
            }
            return signal.Task;
        }

        private sealed record Write(string Table, int Id, int Status, TimeSpan Started, TimeSpan Ended)
        {
            public bool Acknowledged => Status is >= 200 and < 300;
        }
    }
}

/// <summary>Tests that run the built hosts as processes; they run one at a time (they share the two cores).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessTestsDefinition
{
    public const string Name = "Processes";
}
