using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Newsstand.Data;
using Newsstand.Grains;
using Newsstand.Records;
using Orleans.Concurrency;

namespace Newsstand.Messaging;

/// <summary>
/// The web client's entry to <see cref="Topics.News"/>: routes a messenger to the partition of its id and
/// answers readers from the partitions' consumers and the failure records. Holds no state, so every silo
/// runs its own copies.
/// </summary>
[StatelessWorker]
internal sealed class MessengerTopicGrain(NewsstandDb db, IOptions<TopicOptions> options) : Grain, IMessengerTopicGrain
{
    private int Partitions => options.Value.Partitions;

    public Task<TopicPosition> SendAsync(MessengerRecord messenger) =>
        GrainFactory.TopicPartition(Topics.News, Topics.PartitionOf(messenger.Id, Partitions))
            .AppendAsync(messenger.Id, JsonSerializer.Serialize(messenger, NewsstandJson.Options));

    public Task<PartitionProgress[]> GetProgressAsync() =>
        Task.WhenAll(Enumerable.Range(0, Partitions).Select(p => GrainFactory.MessengerConsumer(p).GetProgressAsync()));

    public Task<ConsumedMessage[]> ReadConsumedAsync(int partition, long afterSequence, int maxCount) =>
        partition >= 0 && partition < Partitions
            ? GrainFactory.MessengerConsumer(partition).ReadConsumedAsync(afterSequence, maxCount)
            : Task.FromResult<ConsumedMessage[]>([]);

    public Task<ConsumedMessage[]> ReadFailedAsync(Page page) => db.ReadAsync(async context =>
    {
        var query =
            from f in context.Set<TopicFailure>()
            where f.Topic == Topics.News
            join m in context.Set<TopicMessage>() on new { f.Topic, f.Partition, f.Seq } equals new { m.Topic, m.Partition, m.Seq }
            orderby f.Partition, f.Seq
            select new { f.Partition, f.Seq, m.Payload, f.Reason, m.ReceivedAt };
        var rows = await query.Skip(page.Offset).Take(page.Limit ?? Page.MaxLimit).ToListAsync();
        return rows.Select(r => new ConsumedMessage(r.Partition, r.Seq, r.Payload, false, r.Reason, r.ReceivedAt)).ToArray();
    });
}
