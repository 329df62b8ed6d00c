using Newsstand.Messaging;

namespace Newsstand.Grains;

/// <summary>
/// The owner of one partition of a topic's log (key: the partition number, key extension: the topic). Appends
/// get consecutive sequence numbers and are committed before they are acknowledged; appends that arrive
/// while a commit is under way go together in the next one.
/// </summary>
public interface ITopicPartitionGrain : IGrainWithIntegerCompoundKey
{
    /// <summary>Appends a message (<paramref name="json"/>, keyed by <paramref name="key"/>) and answers with its
    /// position once it is committed. Throws <see cref="Errors.StorageUnavailableException"/> or
    /// <see cref="Errors.OverloadedException"/> when the database cannot take it.</summary>
    Task<TopicPosition> AppendAsync(int key, string json);

    /// <summary>The sequence number of the last committed message of the partition (0 when it is empty).</summary>
    Task<long> GetLastSequenceAsync();
}
