using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Newsstand.Data;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Api;

/// <summary>Bad input on the workload routes: a problem naming what is wrong, never a 500, and nothing started or stored.</summary>
/// <remarks>Runs against both forms of the service: <see cref="Separate"/> and <see cref="CoHosted"/>.</remarks>
public abstract class WorkloadBadInputTests(IApiFixture fixture)
{
    private readonly HttpClient _http = fixture.Http;

    public static TheoryData<string, string, string> BadQueries => new()
    {
        // method, path and query, the parameter the answer must name
        { "POST", "/ch08/billing/save/csv", "billing_date" },
        { "POST", "/ch08/billing/save/csv?billing_date=2024-02-30", "billing_date" },
        { "POST", "/ch08/billing/save/csv?billing_date=03/02/2024", "billing_date" },
        { "POST", "/ch08/billing/save/csv?billing_date=2024-03-02&billing_date=2024-03-03", "billing_date" },
        { "POST", "/ch08/billing/total/payable?billing_date=", "billing_date" },
        { "POST", "/ch08/billing/total/payable?billing_date=tomorrow", "billing_date" },
        { "POST", "/ch08/subscription/dated?max_date=2024-01-01", "min_date" },
        { "POST", "/ch08/subscription/dated?min_date=2024-01-01", "max_date" },
        { "POST", "/ch08/subscription/dated?min_date=2024-01-02&max_date=2024-01-01", "min_date" },
        { "POST", "/ch08/subscription/dated?min_date=2024-13-01&max_date=2024-12-01", "min_date" },
        { "GET", "/ch08/notifications/sse", "topic" },
        { "GET", "/ch08/notifications/sse?topic=QUOTA", "topic" },
        { "GET", "/ch08/billing/jobs/0123456789abcdef0123456789abcdef?wait=21", "wait" },
        { "GET", "/ch08/billing/jobs/0123456789abcdef0123456789abcdef?wait=soon", "wait" },
    };

    [Theory]
    [MemberData(nameof(BadQueries))]
    public async Task ABadQueryParameterIsNamedAndNothingIsStarted(string method, string path, string parameter)
    {
        var jobsBefore = await CountJobsAsync();

        using var response = await _http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull((await Bodies.ProblemAsync(response))["errors"]![parameter]);
        Assert.Equal(jobsBefore, await CountJobsAsync());
    }

    [Theory]
    [InlineData("GET", "/ch08/billing/save/csv?billing_date=2024-03-02")]
    [InlineData("DELETE", "/ch08/billing/total/payable?billing_date=2024-03-02")]
    [InlineData("GET", "/ch08/subscription/dated?min_date=2024-01-01&max_date=2024-01-02")]
    [InlineData("POST", "/ch08/sales/list/quota")]
    [InlineData("PUT", "/ch08/subscription/monitor")]
    [InlineData("POST", "/ch08/notifications/sse?topic=quota")]
    [InlineData("GET", "/ch08/admin/login/dec")]
    [InlineData("POST", "/ch08/login/list/records")]
    public async Task AWrongMethodIsNotAllowed(string method, string path)
    {
        using var response = await _http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        await Bodies.ProblemAsync(response);
    }

    [Theory]
    [InlineData("{\"token\": 5}")]
    [InlineData("{}")]
    [InlineData("{\"token\": null}")]
    [InlineData("{\"token\": \"\"}")]
    [InlineData("{\"token\": ")]
    public async Task ABadDecryptionBodyNamesTheToken(string body)
    {
        using var response = await _http.PostAsync("/ch08/admin/login/dec", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await Bodies.ProblemAsync(response))["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("token") || errors.ContainsKey("body"), errors.ToJsonString());
    }

    [Fact]
    public async Task ADecryptionBodyThatIsNotJsonIsUnsupported()
    {
        using var response = await _http.PostAsync("/ch08/admin/login/dec", new StringContent("token=abc", Encoding.UTF8, "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        await Bodies.ProblemAsync(response);
    }

    [Fact]
    public async Task EveryWorkloadRouteIsInTheOpenApiDocumentWithItsParameters()
    {
        var document = await _http.GetFromJsonAsync<JsonObject>("/openapi/v1.json");
        var paths = document!["paths"]!.AsObject();

        var expected = new (string Path, string Method, string[] Query)[]
        {
            ("/ch08/login/list/records", "get", []),
            ("/ch08/admin/billing/all", "get", []),
            ("/ch08/admin/login/list/enc", "get", []),
            ("/ch08/admin/login/dec", "post", []),
            ("/ch08/billing/save/csv", "post", ["billing_date"]),
            ("/ch08/billing/jobs/{job_id}", "get", ["wait"]),
            ("/ch08/billing/jobs/{job_id}/file", "get", []),
            ("/ch08/billing/total/payable", "post", ["billing_date"]),
            ("/ch08/sales/list/quota", "get", []),
            ("/ch08/sales/quota/latest", "get", []),
            ("/ch08/subscription/dated", "post", ["min_date", "max_date"]),
            ("/ch08/subscription/monitor/total", "get", []),
            ("/ch08/subscription/monitor", "get", []),
            ("/ch08/subscription/monitor", "delete", []),
            ("/ch08/notifications/sse", "get", ["topic"]),
        };
        foreach (var (path, method, query) in expected)
        {
            var operation = paths[path]?[method];
            Assert.True(operation is not null, $"{method} {path} is missing");
            Assert.NotNull(operation!["responses"]!["200"] ?? operation["responses"]!["202"]);
            var named = operation["parameters"]?.AsArray().Where(p => (string)p!["in"]! == "query").Select(p => (string)p!["name"]!).ToList() ?? [];
            Assert.Equal(query.Order(), named.Order());
        }
        Assert.NotNull(paths["/ch08/admin/login/dec"]!["post"]!["requestBody"]);
    }

    private async Task<int> CountJobsAsync()
    {
        await using var db = fixture.OpenDatabase();
        return await db.Set<BillingJobEntity>().CountAsync();
    }

    /// <summary>The API served by the separate web client, over the silo's gateway.</summary>
    [Collection(SqliteClusterDefinition.Name)]
    public sealed class Separate(ClusterFixture fixture) : WorkloadBadInputTests(fixture);

    /// <summary>The API served by the silo itself.</summary>
    [Collection(CoHostedDefinition.Name)]
    public sealed class CoHosted(CoHostedFixture fixture) : WorkloadBadInputTests(fixture);
}
