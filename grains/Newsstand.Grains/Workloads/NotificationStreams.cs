using System.Text.Json;
using Orleans.Streams;

namespace Newsstand.Workloads;

/// <summary>How workload grains reach the notifications feed: one Orleans stream per topic.</summary>
internal static class NotificationStreams
{
    public static IAsyncStream<Notification> NotificationStream(this Grain grain, string topic) =>
        grain.GetStreamProvider(ProviderNames.Streams)
            .GetStream<Notification>(StreamId.Create(NotificationTopics.NamespaceOf(topic), NotificationTopics.StreamKey));

    /// <summary>A notification whose data is <paramref name="data"/> in the API's JSON contract.</summary>
    public static Notification Create<T>(string id, string name, T data, DateTimeOffset time) =>
        new(id, name, JsonSerializer.Serialize(data, NewsstandJson.Options), time);
}
