using System.Net;
using Microsoft.EntityFrameworkCore;
using Newsstand.Data;
using Newsstand.Errors;
using Newsstand.Grains;
using Newsstand.Records;
using Newsstand.Tests.Infrastructure;
using Newsstand.Workloads;

namespace Newsstand.Tests.Grains;

/// <summary>
/// Workloads driven by time, on the fake-time cluster: the retried payable task (backoff on the grains' clock,
/// faults injected into its storage access), the subscription monitor's timer, and what a silo restart leaves.
/// The clock moves only when a timer is waiting on it.
/// </summary>
[Collection(FakeTimeClusterDefinition.Name)]
public sealed class TimeDrivenWorkloadTests(FakeTimeClusterFixture fixture)
{
    private ISubscriptionMonitorGrain Monitor => fixture.Grains.GetGrain<ISubscriptionMonitorGrain>(0);

    [Fact]
    public async Task TransientFaultsAreRetriedAfterABackoffUntilTheTaskSucceeds()
    {
        var date = TestDates.Next();
        await AddBillingsAsync(date, 10.5, 20.25);
        fixture.Ledger.FailTransiently(date, times: 2);

        var waits = new List<TimeSpan>();
        var total = await DriveAsync(() => Task(date).ComputeAsync(), waits);

        Assert.Equal(30.75, total.TotalPayable);
        Assert.Equal(3, fixture.Ledger.Tries(date));
        // Each retry waited for the clock: two backoffs, none longer than the configured cap.
        Assert.Equal(2, waits.Count);
        Assert.All(waits, wait => Assert.InRange(wait, TimeSpan.FromTicks(1), new PayableTotalOptions().MaxRetryDelay));
    }

    [Fact]
    public async Task TheTaskGivesUpAfterFiveTriesAndTheApiAnswers503WithRetryAfter()
    {
        var date = TestDates.Next();
        fixture.Ledger.FailTransiently(date, times: int.MaxValue);
        using var http = fixture.CreateHttpClient();

        using var response = await DriveAsync(() => http.PostAsync($"/ch08/billing/total/payable?billing_date={TestDates.Text(date)}", null));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
        Assert.Contains("5 times", (string)(await Bodies.ProblemAsync(response))["detail"]!, StringComparison.Ordinal);
        Assert.Equal(5, fixture.Ledger.Tries(date));
    }

    [Fact]
    public async Task APermanentFaultIsNotRetried()
    {
        var date = TestDates.Next();
        fixture.Ledger.FailPermanently(date);

        var failure = await Assert.ThrowsAsync<TaskFailedException>(() => DriveAsync(() => Task(date).ComputeAsync()));

        Assert.Equal(1, failure.Tries);
        Assert.Equal(1, fixture.Ledger.Tries(date));
    }

    [Fact]
    public async Task TheMonitorStartsOnceTicksOnTheClockAndStops()
    {
        await Monitor.StopAsync();
        await AddSubscriptionAsync(price: 2.5, qty: 4);
        var before = await Monitor.GetStatusAsync();

        Assert.True(await Monitor.StartAsync());
        Assert.False(await Monitor.StartAsync());
        Assert.Equal((true, before.Ticks), ((await Monitor.GetStatusAsync()).Running, (await Monitor.GetStatusAsync()).Ticks));

        // The tick is queued on the monitor as the clock passes its period, so the next call sees it done.
        fixture.Clock.Advance(FakeTimeClusterFixture.MonitorPeriod);
        var first = await Monitor.GetStatusAsync();
        Assert.Equal(before.Ticks + 1, first.Ticks);
        Assert.Equal(await TotalSoldAsync(), first.LatestTotal);
        Assert.Equal(fixture.Clock.GetUtcNow(), first.LatestAt);

        await AddSubscriptionAsync(price: 1.25, qty: 2);
        fixture.Clock.Advance(FakeTimeClusterFixture.MonitorPeriod);
        var second = await Monitor.GetStatusAsync();
        Assert.Equal((before.Ticks + 2, first.LatestTotal + 2.5), (second.Ticks, second.LatestTotal));

        Assert.True(await Monitor.StopAsync());
        fixture.Clock.Advance(FakeTimeClusterFixture.MonitorPeriod);
        var stopped = await Monitor.GetStatusAsync();
        Assert.Equal((false, second.Ticks), (stopped.Running, stopped.Ticks));
        Assert.False(await StoredRunningAsync());
    }

    [Fact]
    public async Task ARunningMonitorRunsAgainAfterARestart()
    {
        await Monitor.StartAsync();
        var before = await Monitor.GetStatusAsync();

        await fixture.RestartSiloAsync();

        var after = await Monitor.GetStatusAsync();
        Assert.Equal((true, before.Ticks), (after.Running, after.Ticks));
        fixture.Clock.Advance(FakeTimeClusterFixture.MonitorPeriod);
        Assert.Equal(before.Ticks + 1, (await Monitor.GetStatusAsync()).Ticks);
        Assert.True(await StoredRunningAsync());
        await Monitor.StopAsync();
    }

    [Fact]
    public async Task AJobARestartFindsQueuedOrRunningIsResumedToTheEnd()
    {
        var date = TestDates.Next();
        await AddBillingsAsync(date, 5, 7);
        var running = await StoreJobAsync(date, JobStates.Running);
        var queued = await StoreJobAsync(date.AddDays(1), JobStates.Queued);

        await fixture.RestartSiloAsync();

        var resumed = await fixture.Grains.GetGrain<IBillingSheetJobGrain>(running).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal((JobStates.Succeeded, 12.0, 2, 2), (resumed.Status, resumed.TotalPayable, resumed.Lines, resumed.Attempts));
        var empty = await fixture.Grains.GetGrain<IBillingSheetJobGrain>(queued).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal((JobStates.Succeeded, 0.0, 0), (empty.Status, empty.TotalPayable, empty.Lines));
        await using var db = fixture.OpenDatabase();
        Assert.False(await db.Set<BillingJobEntity>().AnyAsync(j => (j.Id == running || j.Id == queued) && j.Status != JobStates.Succeeded));
    }

    [Fact]
    public async Task AFailedJobShowsAFixedSentenceAndLogsTheException()
    {
        var date = TestDates.Next();
        await AddBillingsAsync(date, 3);
        var jobId = Guid.NewGuid().ToString("N");
        fixture.Sheets.FailSavesOf(jobId);
        var job = fixture.Grains.GetGrain<IBillingSheetJobGrain>(jobId);

        await job.StartAsync(date);
        var failed = await job.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal((JobStates.Failed, BillingSheetJobGrain.FailedError), (failed.Status, failed.Error));
        using var http = fixture.CreateHttpClient();
        var shown = await http.GetStringAsync($"/ch08/billing/jobs/{jobId}");
        Assert.DoesNotContain("secret-path", shown, StringComparison.Ordinal);
        Assert.DoesNotContain("IOException", shown, StringComparison.Ordinal);
        Assert.Contains(LogCapture.Shared.Lines, line => line.Contains(jobId, StringComparison.Ordinal)
            && line.Contains(FaultInjectingSheetStore.SecretMessage, StringComparison.Ordinal));
        await using var db = fixture.OpenDatabase();
        Assert.False(await db.Set<BillingSheetPartEntity>().AnyAsync(p => p.JobId == jobId));
    }

    [Fact]
    public async Task BeforeAnyQuotaRunTheLatestRunIsNotFound()
    {
        using var http = fixture.CreateHttpClient();

        using var response = await http.GetAsync("/ch08/sales/quota/latest");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        await Bodies.ProblemAsync(response);
    }

    private IPayableTotalTaskGrain Task(DateOnly date) => fixture.Grains.GetGrain<IPayableTotalTaskGrain>(TestDates.Text(date));

    /// <summary>Starts <paramref name="start"/> and awaits it, moving the clock past each timer it sets (the backoffs) and only then.</summary>
    /// <remarks>The timers set so far are forgotten before the work starts, never after: its first backoff can be set before
    /// the caller's next statement runs (a loaded machine), and a forgotten backoff is one nobody moves the clock for.</remarks>
    private async Task<T> DriveAsync<T>(Func<Task<T>> start, List<TimeSpan>? waits = null)
    {
        fixture.Clock.Forget();
        var work = start();
        using var done = new CancellationTokenSource();
        while (true)
        {
            var timer = fixture.Clock.NextTimerAsync(done.Token);
            if (await System.Threading.Tasks.Task.WhenAny(work, timer) == work)
            {
                await done.CancelAsync();
                return await work;
            }
            var due = await timer;
            waits?.Add(due);
            fixture.Clock.Advance(due);
        }
    }

    private async Task<double> TotalSoldAsync()
    {
        var total = 0d;
        await foreach (var subscription in fixture.Grains.ScanAsync<SubscriptionRecord>())
        {
            total += subscription.Price * subscription.Qty;
        }
        return total;
    }

    private async Task<bool> StoredRunningAsync()
    {
        await using var db = fixture.OpenDatabase();
        return await db.Set<MonitorStateEntity>().Where(m => m.Id == SubscriptionMonitorGrain.MonitorName).Select(m => m.Running).SingleAsync();
    }

    private async Task<string> StoreJobAsync(DateOnly date, string status)
    {
        var id = Guid.NewGuid().ToString("N");
        await using var db = fixture.OpenDatabase();
        db.Add(new BillingJobEntity(id, date, status, 0, 0, 0, null, $"billing-{TestDates.Text(date)}.csv", null,
            fixture.Clock.GetUtcNow(), status == JobStates.Running ? fixture.Clock.GetUtcNow() : null, null, status == JobStates.Running ? 1 : 0));
        await db.SaveChangesAsync();
        return id;
    }

    private async Task<int> AddLoginAsync()
    {
        var id = Ids.Next();
        await fixture.Grains.LoginOwner(id).AddAsync(new NewLogin(id, $"user{id}", "pw", 1));
        return id;
    }

    private async Task AddBillingsAsync(DateOnly date, params double[] payables)
    {
        var loginId = await AddLoginAsync();
        var vendor = new VendorRecord(Ids.Next(), "Rep", "Vendor", "R", new DateOnly(2022, 1, 1), "Acct", "0001", new DateOnly(2022, 2, 1), loginId);
        var admin = new AdminRecord(Ids.Next(), "Ada", "Admin", 40, new DateOnly(2020, 1, 15), 1, loginId, new DateOnly(1985, 3, 2));
        await fixture.Grains.RecordOwner<VendorRecord>(vendor.Id).AddAsync(vendor);
        await fixture.Grains.RecordOwner<AdminRecord>(admin.Id).AddAsync(admin);
        foreach (var payable in payables)
        {
            var billing = new BillingRecord(Ids.Next(), payable, "Ada", date, date, "Rep", date, 1, vendor.Id, admin.Id);
            await fixture.Grains.RecordOwner<BillingRecord>(billing.Id).AddAsync(billing);
        }
    }

    private async Task AddSubscriptionAsync(double price, int qty)
    {
        var loginId = await AddLoginAsync();
        var customer = new CustomerRecord(Ids.Next(), "Cal", "Customer", 30, new DateOnly(1994, 7, 7), new DateOnly(2023, 5, 1), 1, 2, loginId);
        await fixture.Grains.RecordOwner<CustomerRecord>(customer.Id).AddAsync(customer);
        var subscription = new SubscriptionRecord(Ids.Next(), customer.Id, "Main St", price, qty, new DateOnly(2024, 2, 10));
        await fixture.Grains.RecordOwner<SubscriptionRecord>(subscription.Id).AddAsync(subscription);
    }
}
