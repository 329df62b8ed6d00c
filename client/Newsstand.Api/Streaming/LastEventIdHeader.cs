using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;
using Newsstand.Api.Binding;
using Newsstand.Api.Errors;

namespace Newsstand.Api.Streaming;

/// <summary>The optional <c>Last-Event-ID</c> header of the messenger feed: where a reader resumes.</summary>
internal sealed record LastEventIdHeader(FeedPosition? Position) : IEndpointParameterMetadataProvider
{
    private const string Expected = "an event id of this feed: partition positions separated by dots, e.g. 0 or 12.0.7.3";

    private static readonly HeaderParameter Parameter = new("Last-Event-ID", Required: false,
        "The id of the last event received, to resume after it (0: from the beginning of the log); absent, the feed starts at the live end.");

    public static ValueTask<LastEventIdHeader?> BindAsync(HttpContext context)
    {
        Dictionary<string, string[]>? errors = null;
        var text = Parameter.Read(context, Expected, ref errors);
        if (text is null)
        {
            return errors is null ? ValueTask.FromResult<LastEventIdHeader?>(new((FeedPosition?)null)) : throw new RequestValidationException(errors);
        }
        if (FeedPosition.TryParse(text, out var position))
        {
            return ValueTask.FromResult<LastEventIdHeader?>(new(position));
        }
        Parameter.Refuse(Expected, ref errors);
        throw new RequestValidationException(errors!);
    }

    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder) => builder.Metadata.Add(Parameter);
}
