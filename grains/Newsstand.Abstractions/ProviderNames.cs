namespace Newsstand;

/// <summary>Names of the Orleans providers that silo and web client must agree on, and the stream namespaces on them.</summary>
public static class ProviderNames
{
    /// <summary>The stream provider for live notifications and fan-out to push channels (SSE, WebSocket). In memory:
    /// what must survive a crash lives in the database, streams only carry it to whoever listens now.</summary>
    public const string Streams = "newsstand";

    /// <summary>The grain storage Orleans keeps stream subscriptions in (the name Orleans looks for).</summary>
    public const string PubSubStore = "PubSubStore";

    /// <summary>Stream namespace of the sales quota evaluations (topic <c>quota</c> of the notifications feed).</summary>
    public const string QuotaNotifications = "notifications.quota";

    /// <summary>Stream namespace of the subscription monitor's totals (topic <c>monitor</c>).</summary>
    public const string MonitorNotifications = "notifications.monitor";

    /// <summary>Stream namespace of the billing sheet jobs' status changes (topic <c>jobs</c>).</summary>
    public const string JobNotifications = "notifications.jobs";

    /// <summary>Stream namespace on <see cref="Streams"/>: batches of messages the messenger consumers have just consumed
    /// (key: the topic name). Live fan-out only; the log in the database is the truth readers catch up from.</summary>
    public const string ConsumedMessages = "topic.consumed";
}
