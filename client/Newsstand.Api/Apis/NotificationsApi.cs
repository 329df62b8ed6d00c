using System.Runtime.CompilerServices;
using Newsstand.Api.Access;
using Newsstand.Api.Binding;
using Newsstand.Api.Hosting;
using Newsstand.Api.Streaming;
using Newsstand.Workloads;

namespace Newsstand.Api.Apis;

/// <summary>One server-sent-events feed for the background workloads, one Orleans stream per topic.</summary>
internal static class NotificationsApi
{
    /// <summary>Notifications a slow reader may fall behind before it is cut off (it may reconnect).</summary>
    public const int ReaderCapacity = 256;

    public static RouteHandlerBuilder MapNotificationsApi(this IEndpointRouteBuilder routes) =>
        routes.MapGet("/ch08/notifications/sse", (TopicQuery topic, HttpContext context, StreamSubscriptions subscriptions, TimeProvider time) =>
                ServerSentEvents.WriteAsync(context, Events(subscriptions, topic, context.RequestAborted), ServerSentEvents.DefaultHeartbeat, time))
            .RequireAdmin()
            .AllowQueryAccessToken()
            .EndsWhenTokenExpires()
            .WithName("FollowNotifications")
            .RequireLongLivedPlace()
            .WithTags("Workloads: notifications")
            .Produces<string>(StatusCodes.Status200OK, ServerSentEvents.ContentType)
            .ProducesValidationProblem()
            .WithSummary("Server-sent events of one topic (quota, monitor or jobs) from now on: id, event and JSON data per notification, a heartbeat comment every 15 s.");

    private static async IAsyncEnumerable<ServerSentEvent> Events(StreamSubscriptions subscriptions, TopicQuery topic,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var stream = StreamId.Create(topic.StreamNamespace, NotificationTopics.StreamKey);
        await foreach (var notification in subscriptions.ReadAsync<Notification>(stream, ReaderCapacity, cancellationToken))
        {
            yield return new ServerSentEvent(notification.Id, notification.Event, notification.Data);
        }
    }
}
