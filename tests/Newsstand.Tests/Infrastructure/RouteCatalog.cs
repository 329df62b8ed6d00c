using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Newsstand.Tests.Infrastructure;

/// <summary>
/// Every route the running web client serves, taken from its endpoint data source (so a route that is
/// not in the OpenAPI document, such as a WebSocket endpoint, is still found), each with what the
/// OpenAPI document says about its inputs: query and route parameters and the JSON body's schema.
/// </summary>
internal sealed record RouteOperation(
    string Method, string Pattern, IReadOnlyList<ApiParameter> Query, IReadOnlyList<string> Headers, IReadOnlyList<string> RouteParameters,
    BodySchema? Body, bool Documented)
{
    public override string ToString() => $"{Method} {Pattern}";

    /// <summary>Names a 400 may name: the body's fields, the parameters (headers without case), or the body as a whole.</summary>
    public IReadOnlySet<string> Nameable { get; } =
        new HashSet<string>(["body", .. Query.Select(q => q.Name), .. Headers, .. RouteParameters, .. Body?.Fields.Select(f => f.Name) ?? []],
            StringComparer.OrdinalIgnoreCase);
}

internal static class RouteCatalog
{
    public static async Task<IReadOnlyList<RouteOperation>> DiscoverAsync(IServiceProvider services, HttpClient http)
    {
        var document = JsonNode.Parse(await http.GetStringAsync("/openapi/v1.json"))!;
        var paths = document["paths"]!.AsObject();
        var schemas = document["components"]?["schemas"]?.AsObject();
        var endpoints = services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();
        var operations = new List<RouteOperation>();
        foreach (var endpoint in endpoints)
        {
            var pattern = "/" + endpoint.RoutePattern.RawText!.TrimStart('/');
            // An endpoint without method metadata (a WebSocket or a catch-all) answers any method: try it with GET.
            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            foreach (var method in methods)
            {
                // The document drops a trailing slash (the original's customer/wsclient/list/ has one).
                var operation = (paths[pattern] ?? paths[pattern.TrimEnd('/')])?[method.ToLowerInvariant()];
                var parameters = operation?["parameters"]?.AsArray() ?? [];
                var query = parameters.Where(p => (string?)p!["in"] == "query").Select(p => new ApiParameter((string)p!["name"]!, p["schema"]?.AsObject(), (bool?)p["required"] ?? false)).ToList();
                var content = operation?["requestBody"]?["content"];
                // The token route reads a form; its fields are named like a JSON body's.
                var bodySchema = content?["application/json"]?["schema"] ?? content?["application/x-www-form-urlencoded"]?["schema"];
                var headers = parameters.Where(p => (string?)p!["in"] == "header").Select(p => (string)p!["name"]!).ToList();
                operations.Add(new RouteOperation(method, pattern, query, headers,
                    [.. endpoint.RoutePattern.Parameters.Select(p => p.Name)],
                    bodySchema is null ? null : BodySchema.Resolve(bodySchema, schemas),
                    operation is not null));
            }
        }
        return [.. operations.DistinctBy(o => (o.Method, o.Pattern)).OrderBy(o => o.Pattern, StringComparer.Ordinal).ThenBy(o => o.Method, StringComparer.Ordinal)];
    }
}

internal sealed record ApiParameter(string Name, JsonObject? Schema, bool Required)
{
    // OpenAPI 3.1 may list several types (["integer", "string"]): the first that is not "null" is the one meant.
    public string? Type => Schema?["type"] switch
    {
        JsonArray types => types.Select(t => (string?)t).FirstOrDefault(t => t != "null"),
        JsonValue type => (string?)type,
        _ => null,
    };

    public string? Format => (string?)Schema?["format"];

    /// <summary>The schema admits JSON null (OpenAPI 3.1: "null" among its types), as an optional field such as current_password does.</summary>
    public bool Nullable => Schema?["type"] is JsonArray types && types.Any(t => (string?)t == "null");
}

internal sealed record BodySchema(IReadOnlyList<ApiParameter> Fields)
{
    public static BodySchema Resolve(JsonNode schema, JsonObject? components)
    {
        var resolved = schema["$ref"] is { } reference ? components![((string)reference!).Split('/')[^1]]! : schema;
        var required = resolved["required"]?.AsArray().Select(r => (string)r!).ToHashSet() ?? [];
        var properties = resolved["properties"]?.AsObject() ?? [];
        return new([.. properties.Select(p => new ApiParameter(p.Key, p.Value?.AsObject(), required.Contains(p.Key)))]);
    }
}
