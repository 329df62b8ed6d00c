using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Newsstand.Data;
using Newsstand.Tests.Infrastructure;
using Newsstand.Workloads;

namespace Newsstand.Tests.Api;

/// <summary>The billing sheet job: accepted at once, run in the background, its sheet stored in the database whole or not at
/// all, downloadable, and safe to open in a spreadsheet.</summary>
[Collection(SqliteClusterDefinition.Name)]
public sealed class BillingJobTests(ClusterFixture fixture)
{
    private readonly HttpClient _http = fixture.Http;

    [Fact]
    public async Task AJobRunsToSucceededWithTheDaysTotalAndItsSheet()
    {
        var date = TestDates.Next();
        var (vendorId, adminId) = await AddVendorAndAdminAsync(accountName: "Semi; \"Quoted\"\nName");
        await AddBillingAsync(vendorId, adminId, date, 10.5, 3);
        await AddBillingAsync(vendorId, adminId, date, 20.25, 4);
        await AddBillingAsync(vendorId, adminId, date.AddDays(1), 99, 5);
        await using var jobs = await NotificationWatch.StartAsync(fixture.Cluster.Client, NotificationTopics.Jobs);

        using var accepted = await _http.PostAsync($"/ch08/billing/save/csv?billing_date={TestDates.Text(date)}", null);

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var body = JsonNode.Parse(await accepted.Content.ReadAsStringAsync())!.AsObject();
        var jobId = (string)body["job_id"]!;
        Assert.Equal("done", (string)body["message"]!);
        Assert.Equal($"/ch08/billing/jobs/{jobId}", accepted.Headers.Location?.OriginalString);
        var job = await WaitAsync(jobId);
        Assert.Equal(("succeeded", 30.75, 2, 1.0, $"billing-{TestDates.Text(date)}.csv"),
            ((string)job["status"]!, (double)job["total_payable"]!, (int)job["lines"]!, (double)job["progress"]!, (string)job["file_name"]!));
        var expected = $"{TestDates.Text(date)};\"Semi; \"\"Quoted\"\"\nName\";{vendorId:D8};10.5;3\n{TestDates.Text(date)};\"Semi; \"\"Quoted\"\"\nName\";{vendorId:D8};20.25;4\n";
        using var file = await _http.GetAsync($"/ch08/billing/jobs/{jobId}/file");
        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        Assert.Equal("text/csv", file.Content.Headers.ContentType?.MediaType);
        Assert.Equal(expected, await file.Content.ReadAsStringAsync());
        // The sheet is in the database (any silo serves it), not on the silo's disk.
        Assert.Equal(expected, await StoredSheetAsync(jobId));
        Assert.Empty(Directory.GetFiles(fixture.DataDirectory, "billing-*"));
        var (queued, _) = await jobs.NextAsync((n, data) => (string)data["job_id"]! == jobId);
        var (running, _) = await jobs.NextAsync((n, data) => (string)data["job_id"]! == jobId);
        var (_, succeeded) = await jobs.NextAsync((n, data) => n.Event == "job.succeeded" && (string)data["job_id"]! == jobId);
        Assert.Equal(("job.queued", "job.running"), (queued.Event, running.Event));
        Assert.Equal(30.75, (double)succeeded["total_payable"]!);
    }

    [Fact]
    public async Task ConcurrentRequestsForOneDateGetTheSameJob()
    {
        var date = TestDates.Next();
        var (vendorId, adminId) = await AddVendorAndAdminAsync();
        await AddBillingAsync(vendorId, adminId, date, 1, 1);

        var answers = await Task.WhenAll(Enumerable.Range(0, 2).Select(async _ =>
        {
            using var response = await _http.PostAsync($"/ch08/billing/save/csv?billing_date={TestDates.Text(date)}", null);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            return (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["job_id"]!;
        }));

        Assert.Equal(answers[0], answers[1]);
        Assert.Equal("succeeded", (string)(await WaitAsync(answers[0]))["status"]!);
    }

    [Fact]
    public async Task AJobLeftRunningByADeadSiloIsReturnedForItsDateAndRunAgain()
    {
        var date = TestDates.Next();
        var (vendorId, adminId) = await AddVendorAndAdminAsync();
        await AddBillingAsync(vendorId, adminId, date, 7, 1);
        var stranded = await StoreJobAsync(date, JobStates.Running);

        using var response = await _http.PostAsync($"/ch08/billing/save/csv?billing_date={TestDates.Text(date)}", null);

        Assert.Equal(stranded, (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["job_id"]!);
        var job = await WaitAsync(stranded);
        Assert.Equal(("succeeded", 7.0, 2), ((string)job["status"]!, (double)job["total_payable"]!, (int)job["attempts"]!));
    }

    [Fact]
    public async Task ALaterJobOfADateServesItsOwnSheetAndReplacesTheEarlierOne()
    {
        var date = TestDates.Next();
        var (vendorId, adminId) = await AddVendorAndAdminAsync();
        await AddBillingAsync(vendorId, adminId, date, 1.5, 1);
        var first = await RunJobAsync(date);
        var firstSheet = $"{TestDates.Text(date)};Acct{vendorId};{vendorId:D8};1.5;1\n";
        Assert.Equal(firstSheet, await _http.GetStringAsync($"/ch08/billing/jobs/{first}/file"));
        await AddBillingAsync(vendorId, adminId, date, 2.5, 2);

        var second = await RunJobAsync(date);

        Assert.NotEqual(first, second);
        Assert.Equal(firstSheet + $"{TestDates.Text(date)};Acct{vendorId};{vendorId:D8};2.5;2\n",
            await _http.GetStringAsync($"/ch08/billing/jobs/{second}/file"));
        // A date keeps its latest sheet: the earlier job's download does not pass the later sheet off as its own.
        using var replaced = await _http.GetAsync($"/ch08/billing/jobs/{first}/file");
        Assert.Equal(HttpStatusCode.NotFound, replaced.StatusCode);
        await Bodies.ProblemAsync(replaced);
        await using var db = fixture.OpenDatabase();
        Assert.False(await db.Set<BillingSheetPartEntity>().AnyAsync(p => p.JobId == first));
    }

    [Fact]
    public async Task ARunCutShortLeavesNoPartInTheSheetOfTheRunThatSucceeds()
    {
        var date = TestDates.Next();
        var (vendorId, adminId) = await AddVendorAndAdminAsync();
        await AddBillingAsync(vendorId, adminId, date, 4, 1);
        var stranded = await StoreJobAsync(date, JobStates.Running);
        await using (var db = fixture.OpenDatabase())
        {
            // What a run on a silo that died (or a second activation) left behind: parts of its own run.
            db.Add(new BillingSheetPartEntity(stranded, "deadrun0000000000000000000000000", 0, "half a line;"u8.ToArray()));
            db.Add(new BillingSheetPartEntity(stranded, "deadrun0000000000000000000000000", 1, "garbage\n"u8.ToArray()));
            await db.SaveChangesAsync();
        }

        using var response = await _http.PostAsync($"/ch08/billing/save/csv?billing_date={TestDates.Text(date)}", null);

        Assert.Equal(stranded, (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["job_id"]!);
        Assert.Equal("succeeded", (string)(await WaitAsync(stranded))["status"]!);
        var expected = $"{TestDates.Text(date)};Acct{vendorId};{vendorId:D8};4;1\n";
        Assert.Equal(expected, await _http.GetStringAsync($"/ch08/billing/jobs/{stranded}/file"));
        await using var check = fixture.OpenDatabase();
        Assert.False(await check.Set<BillingSheetPartEntity>().AnyAsync(p => p.JobId == stranded && p.Run.StartsWith("deadrun")));
    }

    [Fact]
    public async Task CellsASpreadsheetWouldRunAsFormulasStartWithAQuote()
    {
        var date = TestDates.Next();
        string[] names = ["=1+2", "+SUM(A1)", "-2+3", "@cmd", "\tTab", "\rCR", "Plain-name"];
        var expected = "";
        foreach (var name in names)
        {
            var (vendorId, adminId) = await AddVendorAndAdminAsync(accountName: name, accountNumber: "-100");
            await AddBillingAsync(vendorId, adminId, date, 3.5, 1);
            var cell = name == "Plain-name" ? name : $"\"'{name}\"";
            expected += $"{TestDates.Text(date)};{cell};\"'-100\";3.5;1\n";
        }

        var jobId = await RunJobAsync(date);

        Assert.Equal(expected, await _http.GetStringAsync($"/ch08/billing/jobs/{jobId}/file"));
    }

    [Fact]
    public async Task TheSheetOfAJobThatDidNotSucceedIsAConflict()
    {
        var failed = await StoreJobAsync(TestDates.Next(), JobStates.Failed);

        using var response = await _http.GetAsync($"/ch08/billing/jobs/{failed}/file");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("failed", (string)(await Bodies.ProblemAsync(response))["detail"]!, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/ch08/billing/jobs/0123456789abcdef0123456789abcdef")]
    [InlineData("/ch08/billing/jobs/0123456789abcdef0123456789abcdef/file")]
    [InlineData("/ch08/billing/jobs/not-a-job")]
    [InlineData("/ch08/billing/jobs/not-a-job/file")]
    public async Task AnUnknownJobIsNotFound(string path)
    {
        using var response = await _http.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        await Bodies.ProblemAsync(response);
    }

    private async Task<string> RunJobAsync(DateOnly date)
    {
        using var accepted = await _http.PostAsync($"/ch08/billing/save/csv?billing_date={TestDates.Text(date)}", null);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var jobId = (string)JsonNode.Parse(await accepted.Content.ReadAsStringAsync())!["job_id"]!;
        Assert.Equal("succeeded", (string)(await WaitAsync(jobId))["status"]!);
        return jobId;
    }

    /// <summary>The sheet the job serves, as stored: its run's parts in order, and no part of another run.</summary>
    private async Task<string> StoredSheetAsync(string jobId)
    {
        await using var db = fixture.OpenDatabase();
        var run = await db.Set<BillingJobEntity>().Where(j => j.Id == jobId).Select(j => j.SheetRun).SingleAsync();
        var parts = await db.Set<BillingSheetPartEntity>().Where(p => p.JobId == jobId).OrderBy(p => p.Part).ToListAsync();
        Assert.All(parts, p => Assert.Equal(run, p.Run));
        return string.Concat(parts.Select(p => Encoding.UTF8.GetString(p.Data)));
    }

    private async Task<JsonObject> WaitAsync(string jobId)
    {
        using var response = await _http.GetAsync($"/ch08/billing/jobs/{jobId}?wait=20");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    /// <summary>A job row as another silo would have left it.</summary>
    private async Task<string> StoreJobAsync(DateOnly date, string status)
    {
        var id = Guid.NewGuid().ToString("N");
        await using var db = fixture.OpenDatabase();
        db.Add(new BillingJobEntity(id, date, status, 0, 0, 0, null, $"billing-{TestDates.Text(date)}.csv", null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, null, 1));
        await db.SaveChangesAsync();
        return id;
    }

    private async Task<(int VendorId, int AdminId)> AddVendorAndAdminAsync(string? accountName = null, string? accountNumber = null)
    {
        var loginId = Ids.Next();
        var vendorId = Ids.Next();
        var adminId = Ids.Next();
        await _http.AddAsync("login", Bodies.Login(loginId));
        var vendor = Bodies.Vendor(vendorId, loginId);
        vendor["account_name"] = accountName ?? $"Acct{vendorId}";
        vendor["account_number"] = accountNumber ?? $"{vendorId:D8}";
        await _http.AddAsync("vendor", vendor);
        await _http.AddAsync("admin", Bodies.Admin(adminId, loginId));
        return (vendorId, adminId);
    }

    private async Task AddBillingAsync(int vendorId, int adminId, DateOnly date, double payable, int issues)
    {
        var body = Bodies.Billing(Ids.Next(), vendorId, adminId);
        body["payable"] = payable;
        body["total_issues"] = issues;
        body["date_billed"] = TestDates.Text(date);
        await _http.AddAsync("billing", body);
    }
}
