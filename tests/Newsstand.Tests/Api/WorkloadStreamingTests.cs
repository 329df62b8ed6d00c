using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Newsstand.Grains;
using Newsstand.Records;
using Newsstand.Tests.Infrastructure;
using Newsstand.Workloads;

namespace Newsstand.Tests.Api;

/// <summary>
/// The whole-table workload answers stream from the silo's scan: the same bytes the whole answer built in memory gave
/// for the same data, and a bounded number of them at once per route (beyond it 503 with Retry-After).
/// </summary>
[Collection(SqliteClusterDefinition.Name)]
public sealed class WorkloadStreamingTests(ClusterFixture fixture)
{
    private readonly HttpClient _http = fixture.Http;

    /// <summary>The web client's JSON options (ASP.NET Core's defaults with the API's contract), as the whole answers were written with.</summary>
    private static readonly JsonSerializerOptions WebJson = WebOptions();

    [Fact]
    public async Task TheStreamedLoginRecordsAreTheBytesOfTheWholeAnswer()
    {
        await _http.AddAsync("login", Bodies.Login(Ids.Next()));
        var users = new List<string>();
        await foreach (var login in fixture.Grains.ScanAsync<LoginView>())
        {
            users.Add($"{login.Id} {login.Username} {login.UserType}");
        }
        var whole = JsonSerializer.Serialize(new LoginRecords(users.Count, users), WebJson);

        var streamed = await _http.GetStringAsync("/ch08/login/list/records");

        Assert.Equal(whole, streamed);
    }

    [Fact]
    public async Task TheStreamedDatedSubscriptionsAreTheBytesOfTheWholeAnswer()
    {
        var loginId = Ids.Next();
        await _http.AddAsync("login", Bodies.Login(loginId));
        var customerId = Ids.Next();
        await _http.AddAsync("customer", Bodies.Customer(customerId, loginId));
        foreach (var (date, price) in new[] { ("2024-02-10", 12.5), ("2024-02-11", 1.0), ("2030-01-01", 3.0) })
        {
            var subscription = Bodies.Subscription(Ids.Next(), customerId);
            subscription["date_purchased"] = date;
            subscription["price"] = price;
            subscription["branch"] = "Quote \" and \u00e9";
            await _http.AddAsync("subscription", subscription);
        }
        var (min, max) = (new DateOnly(2024, 2, 10), new DateOnly(2024, 2, 11));
        var matches = new List<string>();
        await foreach (var subscription in fixture.Grains.ScanAsync<SubscriptionRecord>())
        {
            if (subscription.DatePurchased >= min && subscription.DatePurchased <= max)
            {
                matches.Add(SubscriptionDatedGrain.Describe(subscription));
            }
        }
        var whole = JsonSerializer.Serialize(matches, WebJson);

        using var response = await _http.PostAsync("/ch08/subscription/dated?min_date=2024-02-10&max_date=2024-02-11", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(whole, await response.Content.ReadAsStringAsync());
        Assert.Contains(matches, m => m.StartsWith("Quote \" and \u00e9 37.5 2024-02-10", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheStreamedProfilesHaveTheWholeAnswersShapeAndCount()
    {
        var (loginId, _) = await _http.AddLoginAndVendorAsync();
        await _http.AddAsync("admin", Bodies.Admin(Ids.Next(), loginId));
        var admins = (int)await fixture.Grains.TableIndex<AdminRecord>().CountAsync();

        var answer = JsonNode.Parse(await _http.GetStringAsync("/ch08/admin/login/list/enc"))!.AsObject();

        Assert.Equal(["message", "count", "profiles"], answer.Select(p => p.Key));
        Assert.Equal(("done", admins, admins), ((string)answer["message"]!, (int)answer["count"]!, answer["profiles"]!.AsArray().Count));
        Assert.All(answer["profiles"]!.AsArray(), p => Assert.Equal(["admin_id", "token"], p!.AsObject().Select(f => f.Key)));
    }

    private static JsonSerializerOptions WebOptions()
    {
        var options = new Microsoft.AspNetCore.Http.Json.JsonOptions().SerializerOptions;
        NewsstandJson.Configure(options);
        return options;
    }

    [Theory]
    [InlineData("GET", "/ch08/login/list/records")]
    [InlineData("POST", "/ch08/subscription/dated?min_date=2000-01-01&max_date=2100-01-01")]
    [InlineData("GET", "/ch08/admin/login/list/enc")]
    public async Task BeyondTheRoutesConcurrentAnswersARequestIsRefusedWith503AndRetryAfter(string method, string path)
    {
        await using var web = fixture.CreateKestrelClient(("WorkloadAnswers:ConcurrentPerRoute", "1"), ("WorkloadAnswers:RetryAfter", "00:00:03"));

        var answers = await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            using var response = await web.Http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            return (response.StatusCode, RetryAfter: response.Headers.RetryAfter?.Delta, response.Content.Headers.ContentType?.MediaType, body);
        }));

        Assert.All(answers, a => Assert.Contains(a.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable }));
        Assert.Contains(answers, a => a.StatusCode == HttpStatusCode.OK);
        var refused = Assert.Single(answers.Where(a => a.StatusCode == HttpStatusCode.ServiceUnavailable).Take(1));
        Assert.Equal((TimeSpan.FromSeconds(3), "application/problem+json"), (refused.RetryAfter, refused.MediaType));
        // Places are given back when answers end: one request alone is answered again.
        using var again = await web.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }
}
