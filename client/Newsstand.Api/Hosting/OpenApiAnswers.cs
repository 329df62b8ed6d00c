using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Newsstand.Api.Hosting;

/// <summary>
/// What the generated OpenAPI document gets wrong about our answers, put right in one document transformer:
/// every error answer is the one <see cref="ProblemSchema"/> (with <c>errors</c> and <c>trace_id</c>, as
/// <see cref="Errors.ProblemExceptionHandler"/> writes them); an operation that reads a body also answers 400, 413
/// and 415; every operation can answer 503 when the cluster is unreachable; 429 and 503 carry <c>Retry-After</c>,
/// 202 a <c>Location</c>; a <c>HEAD</c> answer has no body. Media types of success answers are declared where the
/// routes are mapped (<c>.Produces</c>).
/// </summary>
internal static class OpenApiAnswers
{
    /// <summary>The name of the one problem schema in <c>components/schemas</c>.</summary>
    public const string ProblemSchema = "Problem";

    private const string ProblemMediaType = "application/problem+json";

    /// <summary>The schemas the generator made for the problem classes; every error now refers to <see cref="ProblemSchema"/> instead.</summary>
    private static readonly string[] GeneratedProblemSchemas = ["ProblemDetails", "HttpValidationProblemDetails"];

    private static readonly Dictionary<string, string> Descriptions = new()
    {
        ["400"] = "A parameter or the body is invalid; `errors` names each bad field.",
        ["401"] = "Not authenticated, or the credentials are wrong.",
        ["403"] = "Not allowed (a WebSocket upgrade from an origin that is not allowed).",
        ["404"] = "Nothing with that id.",
        ["409"] = "The write conflicts with a stored record (or the job is not finished); `errors` names the field where one is at fault.",
        ["413"] = "The body is larger than the service reads (1 MiB).",
        ["415"] = "The body is not uncompressed JSON.",
        ["422"] = "The record refers to a record that does not exist; `errors` names each reference.",
        ["426"] = "Not a WebSocket upgrade request.",
        ["429"] = "Too many requests (or no place for another long-lived connection); retry after `Retry-After` seconds.",
        ["500"] = "The task failed for good.",
        ["502"] = "The service's own upstream answered wrongly.",
        ["503"] = "The cluster or the database cannot answer right now, or the work is shed; retry after `Retry-After` seconds.",
    };

    public static Task DescribeAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        foreach (var generated in GeneratedProblemSchemas)
        {
            document.Components.Schemas.Remove(generated);
        }
        document.Components.Schemas[ProblemSchema] = Problem();
        // A file or an event stream is a stream of bytes, not a "Stream" object.
        document.Components.Schemas.Remove(nameof(Stream));
        // The server's own address, as the request reached it, without the trailing slash linters refuse.
        foreach (var server in document.Servers ?? [])
        {
            server.Url = server.Url?.TrimEnd('/');
        }

        foreach (var (_, path) in document.Paths)
        {
            foreach (var (method, operation) in path.Operations ?? [])
            {
                var responses = operation.Responses ??= new OpenApiResponses();
                if (operation.RequestBody is not null)
                {
                    foreach (var status in (string[])["400", "413", "415"])
                    {
                        responses.TryAdd(status, new OpenApiResponse());
                    }
                }
                responses.TryAdd("503", new OpenApiResponse());
                foreach (var (status, answer) in responses)
                {
                    if (answer is OpenApiResponse response)
                    {
                        Describe(document, method == HttpMethod.Head, status, response);
                    }
                }
            }
        }
        return Task.CompletedTask;
    }

    private static void Describe(OpenApiDocument document, bool head, string status, OpenApiResponse response)
    {
        var error = status[0] is '4' or '5';
        if (error && Descriptions.TryGetValue(status, out var description))
        {
            response.Description = description;
        }
        foreach (var (_, media) in response.Content ?? new Dictionary<string, OpenApiMediaType>())
        {
            if (media.Schema is OpenApiSchemaReference { Reference.Id: nameof(Stream) })
            {
                media.Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" };
            }
        }
        // A HEAD answer has headers only, whatever its status.
        response.Content = head ? null
            : error ? new Dictionary<string, OpenApiMediaType> { [ProblemMediaType] = new() { Schema = new OpenApiSchemaReference(ProblemSchema, document) } }
            : response.Content;
        if (status is "429" or "503")
        {
            (response.Headers ??= new Dictionary<string, IOpenApiHeader>())["Retry-After"] = new OpenApiHeader
            {
                Description = "Seconds to wait before retrying.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "1" },
            };
        }
        if (status == "202")
        {
            (response.Headers ??= new Dictionary<string, IOpenApiHeader>())["Location"] = new OpenApiHeader
            {
                Description = "Where to follow the accepted work.",
                Required = true,
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri-reference" },
            };
        }
    }

    /// <summary>RFC 9457 problem details as the service writes them, with its two extensions.</summary>
    private static OpenApiSchema Problem() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "An RFC 9457 problem. `errors` (on 400, 409, 413, 415 and 422 answers) names each bad field or parameter with its messages; "
            + "`trace_id` identifies the request in the service's traces and logs.",
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["type"] = Text("A URI reference that identifies the problem type."),
            ["title"] = Text("A short summary of the problem type."),
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Description = "The HTTP status code." },
            ["detail"] = Text("What went wrong with this request."),
            ["instance"] = Text("A URI reference that identifies this occurrence."),
            ["errors"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = "Each bad field or parameter (a body field by its JSON name, a header by its name, `body` for the body as a whole) with its messages.",
                AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
            },
            ["trace_id"] = Text("The W3C trace context id of the request."),
        },
        Examples = [JsonNode.Parse("""
            {"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"One or more fields are invalid.","status":400,
             "errors":{"rep_firstname":["The field is required."]},"trace_id":"00-9fa40f4e7a80bf8734c1b1ebd5827570-b6552c6139ac3c92-00"}
            """)!],
    };

    private static OpenApiSchema Text(string description) => new() { Type = JsonSchemaType.String, Description = description };
}
