namespace Newsstand.Grains;

/// <summary>How callers find the grains of the topics.</summary>
public static class MessagingGrains
{
    public static IMessengerTopicGrain MessengerTopic(this IGrainFactory grains) => grains.GetGrain<IMessengerTopicGrain>(0);

    public static ITopicPartitionGrain TopicPartition(this IGrainFactory grains, string topic, int partition) =>
        grains.GetGrain<ITopicPartitionGrain>(partition, topic);

    public static IMessengerConsumerGrain MessengerConsumer(this IGrainFactory grains, int partition) =>
        grains.GetGrain<IMessengerConsumerGrain>(partition);
}
