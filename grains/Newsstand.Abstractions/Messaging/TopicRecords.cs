using System.ComponentModel.DataAnnotations.Schema;

namespace Newsstand.Messaging;

/// <summary>
/// How far the consumer of one partition of a topic has got: every message up to <see cref="Position"/> (a
/// sequence number) has taken effect. Stored in the same transaction as each message's effect.
/// </summary>
[GenerateSerializer, Immutable, Alias("Newsstand.TopicCheckpoint"), Table("topic_checkpoint")]
public sealed record TopicCheckpoint(
    [property: Id(0)] string Topic,
    [property: Id(1)] int Partition,
    [property: Id(2)] long Position);

/// <summary>
/// One message of a topic's log: its partition, its sequence number there (consecutive from 1), its key, its JSON, and
/// its id (unique in the topic: an append replayed with the same id is answered with the first one's position and
/// stored once). It crosses a grain boundary when a partition hands what it just committed to its consumer.
/// </summary>
[GenerateSerializer, Immutable, Alias("Newsstand.TopicMessage"), Table("topic_message")]
public sealed record TopicMessage(
    [property: Id(0)] string Topic,
    [property: Id(1)] int Partition,
    [property: Id(2)] long Seq,
    [property: Id(3)] int Key,
    [property: Id(4)] string Payload,
    [property: Id(5)] DateTimeOffset ReceivedAt,
    [property: Id(6)] string MessageId);

/// <summary>Where a message landed: its partition and its sequence number there.</summary>
[GenerateSerializer, Immutable, Alias("Newsstand.TopicPosition")]
public sealed record TopicPosition([property: Id(0)] int Partition, [property: Id(1)] long Sequence);

/// <summary>
/// A consumed message as readers see it: its place in the log, its payload (JSON), whether its effect was
/// applied (<see cref="Applied"/>) or it was rejected (<see cref="Reason"/>), and when the topic received it.
/// </summary>
[GenerateSerializer, Immutable, Alias("Newsstand.ConsumedMessage")]
public sealed record ConsumedMessage(
    [property: Id(0)] int Partition,
    [property: Id(1)] long Sequence,
    [property: Id(2)] string Json,
    [property: Id(3)] bool Applied,
    [property: Id(4)] string? Reason,
    [property: Id(5)] DateTimeOffset ReceivedAt);

/// <summary>Messages of one partition that its consumer has just consumed, in log order (the live feed's item).</summary>
[GenerateSerializer, Immutable, Alias("Newsstand.ConsumedBatch")]
public sealed record ConsumedBatch([property: Id(0)] int Partition, [property: Id(1)] ConsumedMessage[] Messages);

/// <summary>One partition's progress: the last sequence number in its log and its consumer's checkpoint.</summary>
[GenerateSerializer, Immutable, Alias("Newsstand.PartitionProgress")]
public sealed record PartitionProgress(
    [property: Id(0)] int Partition,
    [property: Id(1)] long LastSequence,
    [property: Id(2)] long Checkpoint)
{
    public long Lag => Math.Max(0, LastSequence - Checkpoint);
}

/// <summary>A message to append: its key, its JSON, and its id (null: a new one).</summary>
[GenerateSerializer, Immutable, Alias("Newsstand.TopicAppend")]
public sealed record TopicAppend([property: Id(0)] int Key, [property: Id(1)] string Json, [property: Id(2)] string? MessageId);

/// <summary>What became of one append: its sequence number, or (sequence 0) why it was not appended.</summary>
[GenerateSerializer, Immutable, Alias("Newsstand.AppendOutcome")]
public sealed record AppendOutcome([property: Id(0)] long Sequence, [property: Id(1)] Errors.NewsstandException? Error);
