using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Newsstand.Idempotency;

namespace Newsstand.Api.Idempotency;

/// <summary>An OpenAPI operation transformer: the optional <c>Idempotency-Key</c> header on every POST and PATCH operation.</summary>
internal static class IdempotencyKeyParameter
{
    public const string Description = "Optional. A key of your choice (1–255 printable ASCII characters) that makes this request safe to retry: "
        + "the first request with it takes effect once and its answer is stored for at least 24 h; a retry of the same request gets that "
        + "answer again (header Idempotent-Replayed: true) with no second effect. The same key with another request answers 422; a retry "
        + "while the first is running answers 409 with Retry-After. 5xx answers are not stored: retry them with the same key.";

    public static Task DescribeAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var method = context.Description.HttpMethod;
        if (!(HttpMethods.IsPost(method ?? "") || HttpMethods.IsPatch(method ?? "")))
        {
            return Task.CompletedTask;
        }
        (operation.Parameters ??= []).Add(new OpenApiParameter
        {
            Name = IdempotencyKeyHeader.Name,
            In = ParameterLocation.Header,
            Required = false,
            Description = Description,
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = IdempotencyRecord.KeyLength, Pattern = "^[\\x20-\\x7E]+$" },
        });
        return Task.CompletedTask;
    }
}
