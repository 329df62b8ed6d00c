using Orleans.Concurrency;
using Newsstand.Messaging;

namespace Newsstand.Grains;

/// <summary>
/// The always-running consumer of one partition of <see cref="Topics.News"/> (key: the partition): it consumes the
/// log in order, a batch at a time, inserting the batch's messengers (their ids reserved at the messenger table's
/// owners), recording rejected ones as failed and advancing its checkpoint in one transaction, and publishes what it
/// consumed to the live feed while a reader listens.
/// </summary>
public interface IMessengerConsumerGrain : IGrainWithIntegerKey
{
    /// <summary>Activates the consumer if it is not running (the silos' keepers call this periodically) and answers its progress.</summary>
    Task<PartitionProgress> EnsureRunningAsync();

    /// <summary>
    /// Hands the consumer the messages its partition has just committed (consecutive, in log order); it does not wait for
    /// consumption. The consumer applies them from memory when they continue where it stands, and reads the log otherwise.
    /// </summary>
    [OneWay]
    Task WakeAsync(TopicMessage[] appended);

    /// <summary>The last sequence number known in the partition and the consumer's checkpoint.</summary>
    Task<PartitionProgress> GetProgressAsync();

    /// <summary>
    /// A live reader follows the feed: what this consumer consumes from now until <paramref name="lease"/> has passed
    /// (at most ten minutes) is published to the live feed; the progress answered is from the same turn, so whatever
    /// the answer's checkpoint does not cover is published. Without a running lease nothing is published (readers
    /// catch up from the log).
    /// </summary>
    Task<PartitionProgress> ListenAsync(TimeSpan lease);

    /// <summary>Consumed messages after <paramref name="afterSequence"/> up to the checkpoint, in log order, at most <paramref name="maxCount"/>, read from the database.</summary>
    Task<ConsumedMessage[]> ReadConsumedAsync(long afterSequence, int maxCount);
}
