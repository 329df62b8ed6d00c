using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Newsstand.Records;

namespace Newsstand.Api.Hosting;

/// <summary>What the generated OpenAPI document cannot know by itself: the product's name and the text limits the records declare.</summary>
internal static class OpenApiDescription
{
    public static Task NameAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "NSMS API";
        document.Info.Description = "Newsstand management: records, workloads, the messenger topic and notifications.";
        return Task.CompletedTask;
    }

    /// <summary>A string property with a <see cref="TextAttribute"/> limit gets it as <c>maxLength</c> (in characters, as the limit counts).</summary>
    public static Task LimitTextAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var text = context.JsonPropertyInfo?.AttributeProvider?.GetCustomAttributes(typeof(TextAttribute), inherit: true).OfType<TextAttribute>().FirstOrDefault();
        if (text is { MaxLength: < int.MaxValue })
        {
            schema.MaxLength = text.MaxLength;
        }
        return Task.CompletedTask;
    }
}
