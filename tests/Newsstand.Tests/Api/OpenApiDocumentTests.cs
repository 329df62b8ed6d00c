using System.Text.Json.Nodes;
using Newsstand.Records;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Api;

/// <summary>The OpenAPI document names the product, states the text limits the service enforces, and is served at both usual paths.</summary>
/// <remarks>Runs against both forms of the service: <see cref="Separate"/> and <see cref="CoHosted"/>.</remarks>
public abstract class OpenApiDocumentTests(IApiFixture fixture)
{
    private readonly HttpClient _http = fixture.Http;

    [Fact]
    public async Task TheDocumentNamesTheProductAndIsServedAtBothPaths()
    {
        var versioned = await _http.GetStringAsync("/openapi/v1.json");
        var unversioned = await _http.GetStringAsync("/openapi.json");

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(versioned), JsonNode.Parse(unversioned)));
        var document = JsonNode.Parse(versioned)!;
        Assert.Equal("NSMS API", (string?)document["info"]!["title"]);
        Assert.Equal("Adds an admin record; answers once it is committed.", (string?)document["paths"]!["/ch08/admin/add"]!["post"]!["summary"]);
        Assert.Equal("Adds a vendor record; answers once it is committed.", (string?)document["paths"]!["/ch08/vendor/add"]!["post"]!["summary"]);
    }

    [Theory]
    [InlineData("/ch08/login/add", "username", Limits.Name)]
    [InlineData("/ch08/login/add", "password", Limits.Password)]
    [InlineData("/ch08/vendor/add", "rep_firstname", Limits.Name)]
    public async Task ATextLimitTheServiceEnforcesIsTheSchemasMaxLength(string path, string property, int limit)
    {
        var document = JsonNode.Parse(await _http.GetStringAsync("/openapi/v1.json"))!;

        var body = RequestSchema(document, path);

        Assert.Equal(limit, (int?)body["properties"]![property]!["maxLength"]);
        Assert.Null(body["properties"]!["id"]!["maxLength"]);
    }

    private static JsonNode RequestSchema(JsonNode document, string path)
    {
        var schema = document["paths"]![path]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!;
        var reference = (string?)schema["$ref"];
        return reference is null ? schema : document["components"]!["schemas"]![reference.Split('/')[^1]]!;
    }

    /// <summary>The API served by the separate web client, over the silo's gateway.</summary>
    [Collection(SqliteClusterDefinition.Name)]
    public sealed class Separate(ClusterFixture fixture) : OpenApiDocumentTests(fixture);

    /// <summary>The API served by the silo itself.</summary>
    [Collection(CoHostedDefinition.Name)]
    public sealed class CoHosted(CoHostedFixture fixture) : OpenApiDocumentTests(fixture);
}
