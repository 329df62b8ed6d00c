using System.Collections.Concurrent;
using Newsstand.Errors;
using Newsstand.Grains;
using Newsstand.Idempotency;
using Newsstand.Messaging;
using Newsstand.Records;

namespace Newsstand.Api.Apis;

/// <summary>
/// The web client's way to the grains that take writes (record chunk owners, topic partitions): one reference and one
/// <see cref="CallCoalescer{TItem, TResult}"/> per grain, made once and reused. Concurrent adds to one chunk (sends to
/// one partition) travel together in one grain call; making a reference to a generic grain interface resolved its
/// interface type each time, a tenth of the web client's CPU per insert. At most <see cref="Capacity"/> grains are kept
/// (a spray of ids over the whole key space starts over).
/// </summary>
internal sealed class OwnerReferences(IGrainFactory grains)
{
    public const int Capacity = 16_384;

    /// <summary>Most requests one grain call carries.</summary>
    public const int MaxBatch = 256;

    private readonly ConcurrentDictionary<(Type Type, long Key), object> _writers = new();
    private int _partitions;

    /// <summary>Inserts <paramref name="record"/> through its chunk's owner; throws the owner's domain error for it.</summary>
    public async Task<TRecord> AddAsync<TRecord>(TRecord record) where TRecord : ITableRecord
    {
        var writer = (CallCoalescer<TRecord, NewsstandException?>)Cached(typeof(TRecord), TableSchema.ChunkOf(record.Id), () =>
            new CallCoalescer<TRecord, NewsstandException?>(grains.RecordOwner<TRecord>(record.Id).AddManyAsync, MaxBatch));
        return await writer.CallAsync(record) is { } error ? throw error : record;
    }

    /// <summary>Inserts <paramref name="record"/> with the answer to its request's idempotency key, in one transaction (one grain call of
    /// its own: keyed adds are not gathered with others).</summary>
    public Task<TRecord> AddKeyedAsync<TRecord>(TRecord record, IdempotencyRecord answer) where TRecord : ITableRecord =>
        grains.RecordOwner<TRecord>(record.Id).AddKeyedAsync(record, answer);

    /// <summary>Appends a message with <paramref name="key"/> to its partition of <see cref="Topics.News"/>; answers its sequence number.
    /// The partition count is asked of the cluster once (a change of it needs a restart of the web clients, see the silo's TopicOptions).</summary>
    public async Task<long> SendAsync(int key, string json, string? messageId)
    {
        var count = Volatile.Read(ref _partitions);
        if (count == 0)
        {
            count = await grains.MessengerTopic().GetPartitionCountAsync();
            Volatile.Write(ref _partitions, count);
        }
        var partition = Topics.PartitionOf(key, count);
        var writer = (CallCoalescer<TopicAppend, AppendOutcome>)Cached(typeof(TopicAppend), partition, () =>
            new CallCoalescer<TopicAppend, AppendOutcome>(grains.TopicPartition(Topics.News, partition).AppendManyAsync, MaxBatch));
        var outcome = await writer.CallAsync(new TopicAppend(key, json, messageId));
        return outcome.Error is { } error ? throw error : outcome.Sequence;
    }

    private object Cached(Type type, long key, Func<object> create)
    {
        if (_writers.TryGetValue((type, key), out var known))
        {
            return known;
        }
        if (_writers.Count >= Capacity)
        {
            _writers.Clear();
        }
        return _writers.GetOrAdd((type, key), _ => create());
    }
}
