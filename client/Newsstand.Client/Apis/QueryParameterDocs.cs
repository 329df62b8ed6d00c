using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace Newsstand.Client.Apis;

/// <summary>
/// Query parameters bound by our own binders (<c>BindAsync</c>) are invisible to the OpenAPI generator: each route
/// names its parameters here, so the document shows them with their types and whether they are required.
/// </summary>
internal static class QueryParameterDocs
{
    public static RouteHandlerBuilder WithDateQuery(this RouteHandlerBuilder route, string name, string description) =>
        route.WithQuery(name, description, required: true, new OpenApiSchema { Type = JsonSchemaType.String, Format = "date" });

    public static RouteHandlerBuilder WithQuery(this RouteHandlerBuilder route, string name, string description, bool required, OpenApiSchema schema) =>
        route.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = name,
                In = ParameterLocation.Query,
                Required = required,
                Description = description,
                Schema = schema,
            });
            return Task.CompletedTask;
        });

    public static OpenApiSchema OneOf(IEnumerable<string> values) =>
        new() { Type = JsonSchemaType.String, Enum = [.. values.Order().Select(v => (JsonNode)JsonValue.Create(v))] };

    public static OpenApiSchema Integer(int min, int max) =>
        new() { Type = JsonSchemaType.Integer, Minimum = min.ToString(System.Globalization.CultureInfo.InvariantCulture), Maximum = max.ToString(System.Globalization.CultureInfo.InvariantCulture) };
}
