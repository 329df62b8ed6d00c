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
    /// position once it is committed. <paramref name="messageId"/> (at most 64 characters; a new one when null)
    /// makes a replay a no-op: an append whose id is already in the topic answers the stored message's position.
    /// Throws <see cref="Errors.OverloadedException"/> when the partition's queue is full or the append waited too long
    /// (nothing appended), <see cref="Errors.StorageUnavailableException"/> when the database cannot take it, and
    /// <see cref="Errors.CommitOutcomeUnknownException"/> when the commit's outcome is unknown (retry with the same id).</summary>
    Task<TopicPosition> AppendAsync(int key, string json, string? messageId);

    /// <summary>Appends each of <paramref name="messages"/> as <see cref="AppendAsync"/> does, in one call (a web client gathers
    /// the sends that arrive for this partition while its previous call is under way), in order; answers each one's
    /// sequence number, or 0 with its domain error.</summary>
    Task<AppendOutcome[]> AppendManyAsync(TopicAppend[] messages);

    /// <summary>The sequence number of the last committed message of the partition (0 when it is empty).</summary>
    Task<long> GetLastSequenceAsync();
}
