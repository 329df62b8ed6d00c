using Microsoft.EntityFrameworkCore;
using Newsstand.Data;
using Newsstand.Errors;

namespace Newsstand.Messaging;

/// <summary>
/// Every query of a topic's tables in one place: the log of a partition (its end, its messages after a position,
/// the messages already appended under given ids), the consumer's checkpoint, consumed messages with their
/// outcome, and the failed messages page by page. Reads only; writes go through the group commit.
/// </summary>
internal sealed class TopicLogStore(NewsstandDb db)
{
    /// <summary>The sequence number of the last message of the partition (0 when it is empty).</summary>
    public Task<long> LastSequenceAsync(string topic, int partition, CancellationToken cancellationToken = default) => db.ReadAsync(async context =>
        await context.Set<TopicMessage>().Where(m => m.Topic == topic && m.Partition == partition).MaxAsync(m => (long?)m.Seq, cancellationToken) ?? 0);

    /// <summary>At most <paramref name="max"/> messages of the partition after <paramref name="after"/>, in log order.</summary>
    public Task<TopicMessage[]> ReadAfterAsync(string topic, int partition, long after, int max, CancellationToken cancellationToken) =>
        db.ReadAsync(context => context.Set<TopicMessage>()
            .Where(m => m.Topic == topic && m.Partition == partition && m.Seq > after)
            .OrderBy(m => m.Seq).Take(max).ToArrayAsync(cancellationToken));

    /// <summary>The sequence numbers under which messages with these ids are already in the topic's log (a replayed append).</summary>
    public Task<Dictionary<string, long>> FindAppendedAsync(string topic, int partition, string[] messageIds) => db.ReadAsync(async context =>
        await context.Set<TopicMessage>()
            .Where(m => m.Topic == topic && m.Partition == partition && messageIds.Contains(m.MessageId))
            .ToDictionaryAsync(m => m.MessageId, m => m.Seq));

    /// <summary>Consumed messages of the partition in (<paramref name="after"/>, <paramref name="upTo"/>], with each one's outcome.</summary>
    public Task<ConsumedMessage[]> ReadConsumedAsync(string topic, int partition, long after, long upTo, int max) => db.ReadAsync(async context =>
    {
        var rows = await (
            from m in context.Set<TopicMessage>()
            where m.Topic == topic && m.Partition == partition && m.Seq > after && m.Seq <= upTo
            join f in context.Set<TopicFailure>() on new { m.Topic, m.Partition, m.Seq } equals new { f.Topic, f.Partition, f.Seq } into failures
            from f in failures.DefaultIfEmpty()
            orderby m.Seq
            select new { m.Seq, m.Payload, m.ReceivedAt, Reason = f == null ? null : f.Reason })
            .Take(max).ToListAsync();
        return rows.Select(r => new ConsumedMessage(partition, r.Seq, r.Payload, r.Reason is null, r.Reason, r.ReceivedAt)).ToArray();
    });

    /// <summary>
    /// Failed messages after (<paramref name="afterPartition"/>, <paramref name="afterSequence"/>) in (partition,
    /// sequence) order: a range read on the failures' primary key, as cheap on the millionth page as on the first.
    /// </summary>
    public Task<ConsumedMessage[]> ReadFailedAsync(string topic, int afterPartition, long afterSequence, int max) => db.ReadAsync(async context =>
    {
        var rows = await (
            from f in context.Set<TopicFailure>()
            where f.Topic == topic && (f.Partition > afterPartition || (f.Partition == afterPartition && f.Seq > afterSequence))
            join m in context.Set<TopicMessage>() on new { f.Topic, f.Partition, f.Seq } equals new { m.Topic, m.Partition, m.Seq }
            orderby f.Partition, f.Seq
            select new { f.Partition, f.Seq, m.Payload, f.Reason, m.ReceivedAt })
            .Take(max).ToListAsync();
        return rows.Select(r => new ConsumedMessage(r.Partition, r.Seq, r.Payload, false, r.Reason, r.ReceivedAt)).ToArray();
    });

    /// <summary>The stored checkpoint of the partition's consumer; null before its first activation.</summary>
    public Task<long?> FindCheckpointAsync(string topic, int partition) => db.ReadAsync(context => context.Set<TopicCheckpoint>()
        .Where(c => c.Topic == topic && c.Partition == partition).Select(c => (long?)c.Position).FirstOrDefaultAsync());

    /// <summary>The stored checkpoint, created at 0 the first time the partition is consumed.</summary>
    public async Task<long> LoadCheckpointAsync(string topic, int partition)
    {
        if (await FindCheckpointAsync(topic, partition) is { } stored)
        {
            return stored;
        }
        try
        {
            await db.InsertAsync(new TopicCheckpoint(topic, partition, 0));
            return 0;
        }
        catch (RecordConflictException)
        {
            // Created meanwhile by another activation.
            return await FindCheckpointAsync(topic, partition) ?? 0;
        }
    }
}
