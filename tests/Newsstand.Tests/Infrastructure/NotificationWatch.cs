using System.Text.Json.Nodes;
using System.Threading.Channels;
using Newsstand.Workloads;
using Orleans.Streams;

namespace Newsstand.Tests.Infrastructure;

/// <summary>A test's subscription to one topic of the notifications feed; the subscription is in place once <see cref="StartAsync"/> returns.</summary>
internal sealed class NotificationWatch : IAsyncDisposable
{
    private readonly Channel<Notification> _received = Channel.CreateUnbounded<Notification>();
    private StreamSubscriptionHandle<Notification>? _handle;

    public static async Task<NotificationWatch> StartAsync(IClusterClient client, string topic)
    {
        var watch = new NotificationWatch();
        var stream = client.GetStreamProvider(ProviderNames.Streams)
            .GetStream<Notification>(StreamId.Create(NotificationTopics.NamespaceOf(topic), NotificationTopics.StreamKey));
        watch._handle = await stream.SubscribeAsync((notification, _) =>
        {
            watch._received.Writer.TryWrite(notification);
            return Task.CompletedTask;
        });
        return watch;
    }

    /// <summary>The next notification that <paramref name="match"/> accepts (its data parsed), skipping others; at most 30 s.</summary>
    public async Task<(Notification Notification, JsonObject Data)> NextAsync(Func<Notification, JsonObject, bool> match)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var notification = await _received.Reader.ReadAsync(timeout.Token);
            var data = JsonNode.Parse(notification.Data)!.AsObject();
            if (match(notification, data))
            {
                return (notification, data);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_handle is not null)
        {
            await _handle.UnsubscribeAsync();
        }
    }
}
