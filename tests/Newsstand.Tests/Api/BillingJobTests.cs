using System.Net;
using System.Text.Json.Nodes;
using Newsstand.Data;
using Newsstand.Tests.Infrastructure;
using Newsstand.Workloads;

namespace Newsstand.Tests.Api;

/// <summary>The billing sheet job: accepted at once, run in the background, its sheet written atomically and downloadable.</summary>
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
        Assert.Equal(expected, await File.ReadAllTextAsync(Path.Combine(fixture.DataDirectory, $"billing-{TestDates.Text(date)}.csv")));
        Assert.Empty(Directory.GetFiles(fixture.DataDirectory, "*.tmp"));
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

    private async Task<(int VendorId, int AdminId)> AddVendorAndAdminAsync(string? accountName = null)
    {
        var loginId = Ids.Next();
        var vendorId = Ids.Next();
        var adminId = Ids.Next();
        await _http.AddAsync("login", Bodies.Login(loginId));
        var vendor = Bodies.Vendor(vendorId, loginId);
        vendor["account_name"] = accountName ?? $"Acct{vendorId}";
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
