using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Newsstand.Api.Binding;
using Newsstand.Api.Errors;
using Newsstand.Messaging;

namespace Newsstand.Api.Streaming;

/// <summary>How the messenger feed names its events: <see cref="Standard"/> by default, <see cref="Original"/> for clients of the original.</summary>
internal enum MessengerEventNames
{
    /// <summary>Two fixed names, <c>messenger.added</c> and <c>messenger.failed</c>, that a browser's <c>EventSource</c> can subscribe to; status and time in the data.</summary>
    Standard,

    /// <summary>The original's: <c>Added messenger status: true, Received: &lt;time&gt;</c> as the event name, the messenger as the data.</summary>
    Original,
}

/// <summary>A consumed messenger as a server-sent event of <c>GET /ch08/messenger/sse/add</c>, named as the reader asked.</summary>
internal static class MessengerEvents
{
    public const string Added = "messenger.added";
    public const string Failed = "messenger.failed";

    public static ServerSentEvent From(ConsumedMessage message, FeedPosition position, MessengerEventNames names) => names switch
    {
        MessengerEventNames.Original => new(position.ToString(),
            string.Create(CultureInfo.InvariantCulture, $"Added messenger status: {(message.Applied ? "true" : "false")}, Received: {Time(message)}"),
            message.Json, MessengerFeed.RetryMilliseconds),
        _ => new(position.ToString(), message.Applied ? Added : Failed, Data(message), MessengerFeed.RetryMilliseconds),
    };

    /// <summary><c>{"status": true|false, "received_at": "...", "reason": null|"...", "messenger": {...}}</c> on one line.</summary>
    private static string Data(ConsumedMessage message)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteBoolean("status", message.Applied);
            json.WriteString("received_at", Time(message));
            json.WriteString("reason", message.Applied ? null : message.Reason);
            json.WritePropertyName("messenger");
            json.WriteRawValue(message.Json);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static string Time(ConsumedMessage message) =>
        message.ReceivedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}

/// <summary>The optional <c>names</c> query parameter of the messenger feed.</summary>
internal sealed record EventNamesQuery(MessengerEventNames Names) : IEndpointParameterMetadataProvider
{
    private static readonly ChoiceParameter Parameter = new("names", ["standard", "original"], Required: false,
        "How events are named: standard (default) gives messenger.added and messenger.failed with status, received_at, reason and the messenger in the data; "
        + "original gives the original service's names (\"Added messenger status: true, Received: <time>\") with the messenger as the data.");

    public static ValueTask<EventNamesQuery?> BindAsync(HttpContext context)
    {
        Dictionary<string, string[]>? errors = null;
        var names = Parameter.Read(context, ref errors);
        return errors is not null
            ? throw new RequestValidationException(errors)
            : ValueTask.FromResult<EventNamesQuery?>(new(names == "original" ? MessengerEventNames.Original : MessengerEventNames.Standard));
    }

    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder) => builder.Metadata.Add(Parameter);
}
