using System.Net;
using System.Text.Json.Nodes;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Api;

/// <summary>Runs against both forms of the service: <see cref="Separate"/> and <see cref="CoHosted"/>.</summary>
public abstract class QueryParameterTests(IApiFixture fixture)
{
    private readonly HttpClient _http = fixture.Http;

    [Theory]
    [InlineData("1%00")]
    [InlineData("1%00%00")]
    [InlineData("%001")]
    [InlineData("%201")]
    [InlineData("1%20")]
    [InlineData("%2B1")]
    [InlineData("1%0A")]
    [InlineData("%EF%BC%91")]
    [InlineData("0x1")]
    [InlineData("1e2")]
    [InlineData("--1")]
    [InlineData("-")]
    [InlineData("00000000000000000001")]
    public async Task AListLimitMustBePlainDigits(string limit)
    {
        using var response = await _http.GetAsync($"/ch08/vendor/list?limit={limit}");

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"limit={limit} answered {(int)response.StatusCode}");
        Assert.NotNull((await Bodies.ProblemAsync(response))["errors"]!["limit"]);
    }

    [Theory]
    [InlineData("1%00")]
    [InlineData("%201")]
    [InlineData("%2B1")]
    [InlineData("1%09")]
    public async Task AnUpdateIdWithTrailingOrLeadingJunkIsRejectedAndChangesNothing(string junk)
    {
        var id = Ids.Next();
        await _http.AddAsync("login", Bodies.Login(id, password: "keep-password"));
        var query = junk.Replace("1", id.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

        using var response = await _http.PatchAsync($"/ch08/login/update?id={query}",
            System.Net.Http.Json.JsonContent.Create(Bodies.Login(id, $"changed{id}", "changed-password")));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull((await Bodies.ProblemAsync(response))["errors"]!["id"]);
        Assert.Contains(await _http.ListAsync("/ch08/login/list/all"), l => (int)l!["id"]! == id && (string?)l["username"] == $"user{id}");
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("007", 7)]
    [InlineData("10000", 10000)]
    public async Task PlainDigitsAreAccepted(string limit, int expectedAtMost)
    {
        await _http.AddLoginAndVendorAsync();

        var page = await _http.ListAsync($"/ch08/vendor/list?limit={limit}&offset=0");

        Assert.InRange(page.Count, Math.Min(expectedAtMost, 1), expectedAtMost);
    }

    [Fact]
    public async Task TheOpenApiDocumentDescribesEveryQueryParameter()
    {
        var document = JsonNode.Parse(await _http.GetStringAsync("/openapi/v1.json"))!;
        var paths = document["paths"]!.AsObject();

        string[] lists = ["/ch08/vendor/list", "/ch08/publication/list", "/ch08/content/list", "/ch08/subscription/list/all", "/ch08/login/list/all"];
        foreach (var list in lists)
        {
            var parameters = Parameters(paths, list, "get");
            Assert.Equal(["limit", "offset"], parameters.Keys.Order());
            Assert.All(parameters.Values, p => Assert.Equal(("query", false, "integer"), ((string?)p["in"], (bool?)p["required"] ?? false, (string?)p["schema"]!["type"])));
            Assert.Equal(10000, (int?)parameters["limit"]["schema"]!["maximum"]);
        }
        Assert.Equal(["limit", "offset"], Parameters(paths, "/ch08/admin/login/list", "post").Keys.Order());
        var id = Assert.Single(Parameters(paths, "/ch08/login/update", "patch")).Value;
        Assert.Equal(("id", "query", true, "integer"), ((string?)id["name"], (string?)id["in"], (bool?)id["required"], (string?)id["schema"]!["type"]));
        Assert.Equal(1, (int?)id["schema"]!["minimum"]);
        Assert.Empty(Parameters(paths, "/ch08/vendor/add", "post"));
    }

    /// <summary>The operation's query parameters (headers such as Idempotency-Key are described elsewhere).</summary>
    private static Dictionary<string, JsonNode> Parameters(JsonObject paths, string path, string method) =>
        (paths[path]?[method]?["parameters"] as JsonArray ?? [])
            .Where(p => (string?)p!["in"] == "query")
            .ToDictionary(p => (string)p!["name"]!, p => p!);

    /// <summary>The API served by the separate web client, over the silo's gateway.</summary>
    [Collection(SqliteClusterDefinition.Name)]
    public sealed class Separate(ClusterFixture fixture) : QueryParameterTests(fixture);

    /// <summary>The API served by the silo itself.</summary>
    [Collection(CoHostedDefinition.Name)]
    public sealed class CoHosted(CoHostedFixture fixture) : QueryParameterTests(fixture);
}
