using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Newsstand.Errors;
using Newsstand.Grains;
using Newsstand.Records;
using Newsstand.Security;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Grains;

public sealed class HashingLaneTests
{
    [Fact]
    public async Task WorkRunsOnALaneThreadOffEveryScheduler()
    {
        using var lane = NewLane(concurrency: 1, queueLength: 1);

        var (thread, scheduler, pooled) = await lane.RunAsync(() => (Thread.CurrentThread.Name, TaskScheduler.Current, Thread.CurrentThread.IsThreadPoolThread));

        Assert.StartsWith(HashingLane.ThreadNamePrefix, thread, StringComparison.Ordinal);
        Assert.Same(TaskScheduler.Default, scheduler);
        Assert.False(pooled);
    }

    [Fact]
    public async Task AFullQueueIsRefusedAtOnceWithARetryAfter()
    {
        using var lane = NewLane(concurrency: 1, queueLength: 1);
        using var release = new ManualResetEventSlim();
        var started = new TaskCompletionSource();

        var running = lane.RunAsync(() => { started.SetResult(); release.Wait(); return 1; });
        await started.Task;
        var queued = lane.RunAsync(() => 2);
        var refused = Assert.Throws<OverloadedException>(() => { _ = lane.RunAsync(() => 3); });
        release.Set();

        Assert.InRange(refused.RetryAfterSeconds, 1, 60);
        Assert.Equal(HashingLane.LaneName, refused.Lane);
        Assert.Equal(1, await running);
        Assert.Equal(2, await queued);
    }

    [Fact]
    public async Task RefusalsAreCountedInTheLaneMetrics()
    {
        using var lane = NewLane(concurrency: 1, queueLength: 1);
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        long rejected = 0;
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == HashingLane.MeterName && instrument.Name == "newsstand.hashing_lane.rejected")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref rejected, value));
        listener.Start();
        using var release = new ManualResetEventSlim();
        var started = new TaskCompletionSource();

        var running = lane.RunAsync(() => { started.SetResult(); release.Wait(); return 1; });
        await started.Task;
        var queued = lane.RunAsync(() => 2);
        Assert.Throws<OverloadedException>(() => { _ = lane.RunAsync(() => 3); });
        Assert.Throws<OverloadedException>(() => { _ = lane.RunAsync(() => 4); });
        release.Set();
        await Task.WhenAll(running, queued);

        Assert.Equal(2, Interlocked.Read(ref rejected));
    }

    [Fact]
    public async Task AFailureOfTheWorkReachesTheCallerAndTheLaneGoesOn()
    {
        using var lane = NewLane(concurrency: 1, queueLength: 2);

        await Assert.ThrowsAsync<InvalidOperationException>(() => lane.RunAsync<int>(() => throw new InvalidOperationException("boom")));

        Assert.Equal(7, await lane.RunAsync(() => 7));
    }

    [Fact]
    public void StoredHashesDescribeThemselvesAndVerify()
    {
        var hasher = new PasswordHasher(Options.Create(new HashingOptions()));

        var stored = hasher.Hash("correct horse");

        var parts = stored.Split('$');
        Assert.Equal("pbkdf2-sha256", parts[0]);
        Assert.Equal("600000", parts[1]);
        Assert.Equal(16, Convert.FromBase64String(parts[2]).Length);
        Assert.True(PasswordHasher.Verify("correct horse", stored));
        Assert.False(PasswordHasher.Verify("correct horse!", stored));
        Assert.False(PasswordHasher.Verify("correct horse", "md5$1$abc$def"));
        Assert.NotEqual(stored, hasher.Hash("correct horse"));
    }

    private static HashingLane NewLane(int concurrency, int queueLength) =>
        new(Options.Create(new HashingOptions { Concurrency = concurrency, QueueLength = queueLength }), NullLogger<HashingLane>.Instance,
            new DummyMeterFactory());

    private sealed class DummyMeterFactory : System.Diagnostics.Metrics.IMeterFactory
    {
        public System.Diagnostics.Metrics.Meter Create(System.Diagnostics.Metrics.MeterOptions options) => new(options);

        public void Dispose() { }
    }
}

/// <summary>The lane inside a running silo, seen through the grains and the HTTP API.</summary>
[Collection(SqliteClusterDefinition.Name)]
public sealed class HashingLaneInSiloTests(ClusterFixture fixture)
{
    [Fact]
    public async Task AFullLaneAnswers503WithRetryAfterAndStoresNothing()
    {
        var id = Ids.Next();
        using (var blocked = await BlockLaneAsync())
        {
            using var response = await fixture.Http.PostAsync("/ch08/login/add", Bodies.Login(id));

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.True(response.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), $"Retry-After: {response.Headers.RetryAfter}");
            await Bodies.ProblemAsync(response);
        }
        Assert.False(await fixture.Grains.LoginOwner(id).ContainsAsync(id));
        await fixture.Http.AddAsync("login", Bodies.Login(id));
    }

    [Fact]
    public async Task AFloodOfAddsOfOneIdGivesOneLoginAndConflictsNeverA503()
    {
        var id = Ids.Next();
        Task<HttpResponseMessage>[] flood;
        using (var blocked = await BlockLaneAsync(keepQueueSlot: true))
        {
            // The lane has room for one more hash only: the owner must turn the rest away as conflicts, not as overload.
            flood = [.. Enumerable.Range(0, 40).Select(_ => fixture.Http.PostAsync("/ch08/login/add", Bodies.Login(id)))];
            // Every request but the one whose hash waits on the lane is answered while the lane stays blocked.
            var pending = flood.ToList();
            while (pending.Count > 1)
            {
                var answered = await Task.WhenAny(pending).WaitAsync(TimeSpan.FromSeconds(30));
                pending.Remove(answered);
                Assert.Equal(HttpStatusCode.Conflict, (await answered).StatusCode);
            }
            Assert.False(pending[0].IsCompleted);
        }
        var statuses = (await Task.WhenAll(flood)).Select(r => r.StatusCode).ToArray();
        Assert.Single(statuses, HttpStatusCode.OK);
        Assert.Equal(flood.Length - 1, statuses.Count(s => s == HttpStatusCode.Conflict));
        Assert.True(await fixture.Grains.LoginOwner(id).ContainsAsync(id));
    }

    [Fact]
    public async Task TheLoginOwnerKeepsAnsweringWhileAHashWaitsForTheLane()
    {
        var id = Ids.Next();
        var logins = fixture.Grains.LoginOwner(id);
        Task<LoginView> pending;
        using (var blocked = await BlockLaneAsync(keepQueueSlot: true))
        {
            pending = logins.AddAsync(new NewLogin(id, $"user{id}", "pw", 1));
            // The add is parked on the lane, not on a grain turn: reads and other work go on.
            Assert.NotNull(await fixture.Grains.TableIndex<LoginView>().ReadJsonAsync(ListRead.All));
            Assert.False(await logins.ContainsAsync(id));
            Assert.False(pending.IsCompleted);
        }
        Assert.Equal(id, (await pending).Id);
        Assert.True(await logins.ContainsAsync(id));
    }

    /// <summary>Completes when the lane queues its next item (the lane starts a span for each one).</summary>
    private static Task LaneItemQueued(string laneInstance)
    {
        var queued = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name == HashingLane.ActivitySourceName,
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) =>
                System.Diagnostics.ActivitySamplingResult.AllData,
        };
        listener.ActivityStarted = activity =>
        {
            if ((string?)activity.GetTagItem("newsstand.lane.instance") == laneInstance)
            {
                queued.TrySetResult();
            }
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        return queued.Task.ContinueWith(_ => listener.Dispose(), TaskScheduler.Default);
    }

    /// <summary>Occupies every lane thread and (unless asked to leave one) every queue slot until disposed.</summary>
    private async Task<IDisposable> BlockLaneAsync(bool keepQueueSlot = false)
    {
        var lane = fixture.Lane;
        var release = new ManualResetEventSlim();
        var running = Enumerable.Range(0, lane.Concurrency).Select(_ => new TaskCompletionSource()).ToArray();
        var tasks = running.Select(started => lane.RunAsync(() => { started.SetResult(); release.Wait(); return 0; })).ToList();
        await Task.WhenAll(running.Select(r => r.Task));
        var fill = lane.QueueLength - (keepQueueSlot ? 1 : 0);
        tasks.AddRange(Enumerable.Range(0, fill).Select(_ => lane.RunAsync(() => 0)));
        return new Unblock(release, tasks);
    }

    private sealed class Unblock(ManualResetEventSlim release, List<Task<int>> tasks) : IDisposable
    {
        public void Dispose()
        {
            release.Set();
            Task.WaitAll([.. tasks]);
            release.Dispose();
        }
    }
}
