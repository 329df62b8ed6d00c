using Newsstand.Messaging;
using Newsstand.Records;

namespace Newsstand.Grains;

/// <summary>
/// The web client's entry to <see cref="Topics.News"/> (key 0): it knows the silo's partition count, routes a
/// messenger to the partition of its id, and answers the readers' questions about the log.
/// </summary>
public interface IMessengerTopicGrain : IGrainWithIntegerKey
{
    /// <summary>Publishes the messenger to the topic; answers its position once the message is committed to the log.</summary>
    Task<TopicPosition> SendAsync(MessengerRecord messenger);

    /// <summary>Every partition's progress, in partition order (their count is the topic's partition count).</summary>
    Task<PartitionProgress[]> GetProgressAsync();

    /// <summary>Consumed messages of <paramref name="partition"/> after <paramref name="afterSequence"/>, in log order, at most <paramref name="maxCount"/>.</summary>
    Task<ConsumedMessage[]> ReadConsumedAsync(int partition, long afterSequence, int maxCount);

    /// <summary>Messages recorded as failed (with their reasons), ordered by partition and sequence, as a page.</summary>
    Task<ConsumedMessage[]> ReadFailedAsync(Page page);
}
