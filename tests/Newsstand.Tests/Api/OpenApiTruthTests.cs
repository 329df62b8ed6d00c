using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Api;

/// <summary>
/// The served OpenAPI document says what the service does, so that a generated client works unchanged: HEAD
/// answers without a body, every success with its real media type, every error the one problem schema (with
/// <c>errors</c> and <c>trace_id</c>), 413/415 where a body is read, Retry-After and Location, an operationId
/// on every operation, limits as enforced, tags described. Other transformers may add answers and headers: these
/// tests check what they own, never the exact set.
/// </summary>
[Collection(SqliteClusterDefinition.Name)]
public sealed partial class OpenApiTruthTests(ClusterFixture fixture)
{
    private static readonly string[] Methods = ["get", "head", "post", "put", "patch", "delete"];

    private async Task<JsonNode> DocumentAsync() => JsonNode.Parse(await fixture.Http.GetStringAsync("/openapi/v1.json"))!;

    private static IEnumerable<(string Path, string Method, JsonObject Operation)> Operations(JsonNode document) =>
        from path in document["paths"]!.AsObject()
        from method in Methods
        where path.Value![method] is JsonObject
        select (path.Key, method, path.Value![method]!.AsObject());

    private static IEnumerable<(string Status, JsonObject Response)> Responses(JsonObject operation) =>
        operation["responses"]!.AsObject().Select(r => (r.Key, r.Value!.AsObject()));

    [Fact]
    public async Task HeadAnswersHaveNoBody()
    {
        var heads = Operations(await DocumentAsync()).Where(o => o.Method == "head").ToList();

        Assert.Equal(5, heads.Count);
        Assert.All(heads, head => Assert.All(Responses(head.Operation), r => Assert.Null(r.Response["content"])));
    }

    [Fact]
    public async Task EverySuccessHasItsMediaType()
    {
        var document = await DocumentAsync();

        foreach (var (path, method, operation) in Operations(document).Where(o => o.Method != "head" && o.Path != "/ch08/customer/list/ws"))
        {
            Assert.True(Responses(operation).Any(r => r.Status.StartsWith('2') && r.Response["content"] is JsonObject { Count: > 0 }),
                $"{method} {path} has no 2xx answer with a media type");
        }
        var admins = Content(document, "/ch08/admin/login/list", "post", "200");
        Assert.Equal("array", (string?)admins["application/json"]!["schema"]!["type"]);
        Assert.Equal("#/components/schemas/AdminWithLogin", (string?)admins["application/json"]!["schema"]!["items"]!["$ref"]);
        Assert.Equal(["text/csv"], Content(document, "/ch08/billing/jobs/{job_id}/file", "get", "200").Select(c => c.Key));
        Assert.Equal(["text/event-stream"], Content(document, "/ch08/messenger/sse/add", "get", "200").Select(c => c.Key));
        Assert.Equal(["text/event-stream"], Content(document, "/ch08/notifications/sse", "get", "200").Select(c => c.Key));
    }

    [Fact]
    public async Task EveryErrorIsTheOneProblemSchema()
    {
        var document = await DocumentAsync();
        var schemas = document["components"]!["schemas"]!.AsObject();

        Assert.False(schemas.ContainsKey("ProblemDetails") || schemas.ContainsKey("HttpValidationProblemDetails"));
        var problem = schemas["Problem"]!["properties"]!.AsObject();
        Assert.Equal("array", (string?)problem["errors"]!["additionalProperties"]!["type"]);
        Assert.Equal("string", (string?)problem["trace_id"]!["type"]);
        foreach (var (path, method, operation) in Operations(document).Where(o => o.Method != "head"))
        {
            foreach (var (status, response) in Responses(operation).Where(r => r.Status[0] is '4' or '5'))
            {
                var content = response["content"]?.AsObject();
                Assert.True(content is { Count: 1 } && content["application/problem+json"]?["schema"]?["$ref"]?.GetValue<string>() == "#/components/schemas/Problem",
                    $"{method} {path} {status}: {content?.ToJsonString()}");
            }
        }
    }

    [Fact]
    public async Task AnOperationThatReadsABodyAnswers400And413And415AndEveryOperation503()
    {
        var operations = Operations(await DocumentAsync()).ToList();

        Assert.True(operations.Count(o => o.Operation.ContainsKey("requestBody")) >= 14);
        foreach (var (path, method, operation) in operations)
        {
            var statuses = Responses(operation).Select(r => r.Status).ToHashSet();
            Assert.True(statuses.Contains("503"), $"{method} {path}");
            Assert.True(!operation.ContainsKey("requestBody") || statuses.IsSupersetOf(["400", "413", "415"]), $"{method} {path}");
        }
    }

    [Fact]
    public async Task RetryAfterAndLocationAreDeclared()
    {
        var document = await DocumentAsync();

        foreach (var (path, method, operation) in Operations(document))
        {
            foreach (var (status, response) in Responses(operation))
            {
                if (status is "429" or "503")
                {
                    Assert.True(response["headers"]?["Retry-After"] is not null, $"{method} {path} {status}");
                }
                if (status == "202")
                {
                    Assert.True(response["headers"]?["Location"] is not null, $"{method} {path} {status}");
                }
            }
        }
        Assert.NotNull(document["paths"]!["/ch08/login/add"]!["post"]!["responses"]!["429"]!["headers"]!["Retry-After"]);
        Assert.NotNull(document["paths"]!["/ch08/billing/save/csv"]!["post"]!["responses"]!["202"]!["headers"]!["Location"]);
    }

    [Fact]
    public async Task EveryOperationHasAUniqueOperationIdWrittenWhereItsRouteIs()
    {
        var operations = Operations(await DocumentAsync()).ToList();
        var sources = string.Join('\n', Directory.EnumerateFiles(Repository.PathOf("client"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(File.ReadAllText));
        var written = OperationNames().Matches(sources).SelectMany(m => m.Groups.Values.Skip(1).Where(g => g.Success).Select(g => g.Value)).ToHashSet();

        var ids = operations.Select(o => (string?)o.Operation["operationId"]).ToList();
        Assert.All(operations, o => Assert.False(string.IsNullOrEmpty((string?)o.Operation["operationId"]), $"{o.Method} {o.Path}"));
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Contains(id!, written));
        Assert.Equal("AddVendor", (string?)operations.Single(o => o.Path == "/ch08/vendor/add").Operation["operationId"]);
        Assert.Equal("HeadVendors", (string?)operations.Single(o => o.Path == "/ch08/vendor/list" && o.Method == "head").Operation["operationId"]);
    }

    [Fact]
    public async Task EveryPathIsWrittenWhereAGrepFindsIt()
    {
        var written = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(Repository.PathOf("client"), "*.cs", SearchOption.AllDirectories))
        {
            var source = await File.ReadAllTextAsync(file);
            var routes = RoutePaths().Matches(source).Select(m => m.Groups[1].Value).ToList();
            var groups = GroupPaths().Matches(source).Select(m => m.Groups[1].Value).ToList();
            written.UnionWith(routes);
            written.UnionWith(groups.SelectMany(group => routes.Select(route => (group + route).TrimEnd('/'))));
        }

        // A path is the literal of its Map call, or that literal after the literal of its file's MapGroup.
        Assert.All(Operations(await DocumentAsync()).Select(o => o.Path).Distinct(), path => Assert.Contains(path, written));
    }

    [Fact]
    public async Task ANewPasswordHasItsMinimumLength()
    {
        var schemas = (await DocumentAsync())["components"]!["schemas"]!;

        Assert.Equal(8, (int?)schemas["NewLogin"]!["properties"]!["password"]!["minLength"]);
        Assert.Equal(1, (int?)schemas["NewLogin"]!["properties"]!["id"]!["minimum"]);
    }

    [Fact]
    public async Task EveryTagIsDescribed()
    {
        var tags = (await DocumentAsync())["tags"]!.AsArray();

        Assert.NotEmpty(tags);
        Assert.All(tags, tag => Assert.False(string.IsNullOrWhiteSpace((string?)tag!["description"]), (string?)tag!["name"]));
    }

    [Fact]
    public async Task TheDocumentedProblemIsWhatAnErrorAnswers()
    {
        using var response = await fixture.Http.PostAsync("/ch08/vendor/add", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await Bodies.ProblemAsync(response);
        Assert.NotNull(problem["errors"]!["rep_firstname"]);
        Assert.False(string.IsNullOrEmpty((string?)problem["trace_id"]));
    }

    private static JsonObject Content(JsonNode document, string path, string method, string status) =>
        document["paths"]![path]![method]!["responses"]![status]!["content"]!.AsObject();

    [GeneratedRegex(""""\.WithName\("([A-Za-z]+)"\)|MapList<\w+>\("[^"]+", "([A-Za-z]+)", "([A-Za-z]+)"""")]
    private static partial Regex OperationNames();

    [GeneratedRegex("""Map(?:Get|Post|Put|Patch|Delete|Methods|List|Add)(?:<\w+>)?\("(/[^"]*)"[,)]""")]
    private static partial Regex RoutePaths();

    [GeneratedRegex("""MapGroup\("(/[^"]*)"\)""")]
    private static partial Regex GroupPaths();
}
