using System.Net;
using System.Text.Json.Nodes;
using Newsstand.Tests.Infrastructure;
using Newsstand.Workloads;

namespace Newsstand.Tests.Api;

/// <summary>The sales quota pipeline: every evaluation is published, and neither a missed quota nor a failing sale ends the stream.</summary>
[Collection(SqliteClusterDefinition.Name)]
public sealed class SalesQuotaTests(ClusterFixture fixture)
{
    private readonly HttpClient _http = fixture.Http;

    [Fact]
    public async Task EverySaleIsEvaluatedAndPublishedPastAMissedQuotaAndAFailingSale()
    {
        var publicationId = await AddPublicationAsync();
        // In id order: one that cannot be evaluated (its gap overflows), one that misses, one that meets its quota.
        var failing = await AddSaleAsync(publicationId, issued: 1, revenue: 1.7e308, profit: 1.7e308);
        var missed = await AddSaleAsync(publicationId, issued: 100, revenue: 100, profit: 10);
        var met = await AddSaleAsync(publicationId, issued: 100, revenue: 400, profit: 120.25);
        await using var quota = await NotificationWatch.StartAsync(fixture.Cluster.Client, NotificationTopics.Quota);

        using var response = await _http.GetAsync("/ch08/sales/list/quota");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{\"message\":\"Notification sent in the background\"}", await response.Content.ReadAsStringAsync());
        var (failedEvent, failedData) = await quota.NextAsync((_, data) => (int)data["sale_id"]! == failing);
        var (missedEvent, missedData) = await quota.NextAsync((_, data) => (int)data["sale_id"]! == missed);
        var (metEvent, metData) = await quota.NextAsync((_, data) => (int)data["sale_id"]! == met);
        Assert.Equal(["quota.failed", "quota.missed", "quota.met"], [failedEvent.Event, missedEvent.Event, metEvent.Event]);
        Assert.Contains("not a finite number", (string)failedData["error"]!, StringComparison.Ordinal);
        Assert.Equal((500.0, 400.0, false), ((double)missedData["cost"]!, (double)missedData["projected"]!, (bool)missedData["meets_quota"]!));
        Assert.Equal((500.0, 100.0, true), ((double)metData["cost"]!, (double)metData["projected"]!, (bool)metData["meets_quota"]!));
        Assert.Equal(3, new[] { failedEvent.Id, missedEvent.Id, metEvent.Id }.Distinct().Count());

        using var latest = await _http.GetAsync("/ch08/sales/quota/latest");
        var run = JsonNode.Parse(await latest.Content.ReadAsStringAsync())!;
        Assert.Equal((string)metData["run_id"]!, (string)run["run_id"]!);
        Assert.True((int)run["errors"]! >= 1 && (int)run["missed"]! >= 1 && (int)run["met"]! >= 1, run.ToJsonString());
    }

    private async Task<int> AddPublicationAsync()
    {
        var (_, vendorId) = await _http.AddLoginAndVendorAsync();
        var messengerId = Ids.Next();
        var publicationId = Ids.Next();
        await _http.AddAsync("messenger", Bodies.Messenger(messengerId, vendorId));
        await _http.AddAsync("publication", Bodies.Publication(publicationId, vendorId, messengerId));
        return publicationId;
    }

    private async Task<int> AddSaleAsync(int publicationId, int issued, double revenue, double profit)
    {
        var id = Ids.Next();
        var body = Bodies.Sales(id, publicationId);
        body["copies_issued"] = issued;
        body["revenue"] = revenue;
        body["profit"] = profit;
        await _http.AddAsync("sales", body);
        return id;
    }
}
