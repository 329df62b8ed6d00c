using Newsstand.Messaging;
using Newsstand.Records;

namespace Newsstand.Grains;

/// <summary>
/// The web client's entry to <see cref="Topics.News"/> (key 0): it knows the silo's partition count, routes a
/// messenger to the partition of its id, and answers the readers' questions about the log.
/// </summary>
public interface IMessengerTopicGrain : IGrainWithIntegerKey
{
    /// <summary>Publishes the messenger to the topic; answers its position once the message is committed to the log.
    /// <paramref name="messageId"/> as for <see cref="ITopicPartitionGrain.AppendAsync"/>. (The web client appends to the
    /// partition itself, one grain call fewer; this is for callers that do not know the partition count.)</summary>
    Task<TopicPosition> SendAsync(MessengerRecord messenger, string? messageId = null);

    /// <summary>The topic's partition count (every silo of a cluster agrees on it).</summary>
    Task<int> GetPartitionCountAsync();

    /// <summary>Every partition's progress, in partition order (their count is the topic's partition count).</summary>
    Task<PartitionProgress[]> GetProgressAsync();

    /// <summary>Every partition's progress, as <see cref="GetProgressAsync"/>, and each partition's consumer publishes to the
    /// live feed for <paramref name="lease"/> from its answer (<see cref="IMessengerConsumerGrain.ListenAsync"/>): what a
    /// live reader calls when it opens and at each of its checks.</summary>
    Task<PartitionProgress[]> ListenAsync(TimeSpan lease);

    /// <summary>Consumed messages of <paramref name="partition"/> after <paramref name="afterSequence"/>, in log order, at most <paramref name="maxCount"/>.</summary>
    Task<ConsumedMessage[]> ReadConsumedAsync(int partition, long afterSequence, int maxCount);

    /// <summary>At most <paramref name="maxCount"/> messages recorded as failed (with their reasons) after the message at
    /// (<paramref name="afterPartition"/>, <paramref name="afterSequence"/>), ordered by partition and sequence.</summary>
    Task<ConsumedMessage[]> ReadFailedAsync(int afterPartition, long afterSequence, int maxCount);
}
