namespace Newsstand.Messaging;

/// <summary>The topics of the service and how a message finds its partition.</summary>
public static class Topics
{
    /// <summary>The original's Kafka topic: messengers published by <c>POST /ch08/messenger/kafka/send</c>.</summary>
    public const string News = "newstopic";

    /// <summary>The partition of a message with key <paramref name="key"/> (the messenger id) among <paramref name="partitions"/>.</summary>
    public static int PartitionOf(int key, int partitions) => (int)((uint)key % (uint)partitions);
}
