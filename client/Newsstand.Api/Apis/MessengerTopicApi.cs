using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Newsstand.Api.Access;
using Newsstand.Api.Binding;
using Newsstand.Api.Hosting;
using Newsstand.Api.Idempotency;
using Newsstand.Api.Streaming;
using Newsstand.Grains;
using Newsstand.Records;

namespace Newsstand.Api.Apis;

/// <summary>
/// The original's Kafka routes on our durable topic: publish a messenger (committed to the log before the
/// answer), list the messages the consumer rejected, and follow consumption as server-sent events.
/// </summary>
internal static class MessengerTopicApi
{
    /// <summary>The live feed's reader service (and the clock its heartbeats use).</summary>
    public static WebApplicationBuilder AddMessengerFeed(this WebApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<MessengerFeed>();
        return builder;
    }

    public static RouteGroupBuilder MapMessengerTopicApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/ch08/messenger").WithTags("Messenger topic");

        group.MapPost("/kafka/send", SendAsync)
            .RequireSignedIn()
            .WithName("SendMessenger")
            .Accepts<MessengerRecord>("application/json")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Publishes the messenger to topic newstopic; answers once the message is committed to the topic's log.");
        group.MapGet("/kafka/failed", FailedAsync)
            .RequireAdmin()
            .WithName("ListFailedMessengers")
            .ProducesValidationProblem()
            .WithSummary("Messages the consumer rejected (id stored with other data, missing vendor), with the reason, in (partition, sequence) "
                + "order; the next page starts after the last one's partition and sequence (after_partition, after_sequence); limit 1–10,000, default 100.");
        group.MapGet("/sse/add", FollowAsync)
            .RequireSignedIn()
            .AllowQueryAccessToken()
            .EndsWhenTokenExpires()
            .WithName("FollowMessengers")
            .RequireLongLivedPlace()
            .Produces<string>(StatusCodes.Status200OK, ServerSentEvents.ContentType)
            .ProducesValidationProblem()
            .WithSummary("Server-sent events, one per consumed messenger, named messenger.added or messenger.failed (names=original: the original's names); "
                + "send Last-Event-ID to resume after an event (0: from the beginning).");

        return group;
    }

    /// <summary>Straight to the partition of the messenger's id (one grain hop, shared with concurrent sends), the message already in JSON.
    /// With an Idempotency-Key the message id comes from the key: a retry of a send whose outcome was unknown appends nothing new.</summary>
    private static async Task<Ok<SentAnswer>> SendAsync(JsonBody<MessengerRecord> body, OwnerReferences owners, HttpContext context)
    {
        var messenger = body.Value;
        await owners.SendAsync(messenger.Id, JsonSerializer.Serialize(messenger, NewsstandJson.Options), context.Features.Get<IdempotencyFeature>()?.MessageId);
        return TypedResults.Ok(new SentAnswer("messenger details sent"));
    }

    private static async Task<Ok<FailedMessage[]>> FailedAsync(FailedPageQuery query, IGrainFactory grains)
    {
        var failed = await grains.MessengerTopic().ReadFailedAsync(query.AfterPartition, query.AfterSequence, query.Limit);
        return TypedResults.Ok(failed.Select(m => new FailedMessage(m.Partition, m.Sequence, m.Reason ?? "", m.ReceivedAt,
            JsonSerializer.Deserialize<JsonElement>(m.Json))).ToArray());
    }

    private static async Task FollowAsync(LastEventIdHeader resume, EventNamesQuery names, HttpContext context, MessengerFeed feed, TimeProvider time)
    {
        await using var reader = await feed.OpenAsync(resume.Position, names.Names);
        await ServerSentEvents.WriteAsync(context, reader.ReadAsync(context.RequestAborted), ServerSentEvents.DefaultHeartbeat, time);
    }

    internal sealed record SentAnswer(string Content);

    /// <summary>A rejected message: where it is in the log, why it was rejected, when the topic received it, and the messenger.</summary>
    internal sealed record FailedMessage(int Partition, long Sequence, string Reason, DateTimeOffset ReceivedAt, JsonElement Messenger);
}
