using System.Text.Json;
using Microsoft.Extensions.Options;
using Newsstand.Grains;
using Newsstand.Records;
using Orleans.Concurrency;

namespace Newsstand.Messaging;

/// <summary>
/// The readers' entry to <see cref="Topics.News"/>: the partition count, every partition's progress, consumed and
/// failed messages. Holds no state, so every silo runs its own copies. (Sends from the web client go straight to
/// the partition's grain.)
/// </summary>
[StatelessWorker]
internal sealed class MessengerTopicGrain(TopicLogStore store, IOptions<TopicOptions> options) : Grain, IMessengerTopicGrain
{
    private const int MaxFailedPage = Page.MaxLimit;

    private int Partitions => options.Value.Partitions;

    public Task<TopicPosition> SendAsync(MessengerRecord messenger, string? messageId) =>
        GrainFactory.TopicPartition(Topics.News, Topics.PartitionOf(messenger.Id, Partitions))
            .AppendAsync(messenger.Id, JsonSerializer.Serialize(messenger, NewsstandJson.Options), messageId);

    public Task<int> GetPartitionCountAsync() => Task.FromResult(Partitions);

    public Task<PartitionProgress[]> GetProgressAsync() =>
        Task.WhenAll(Enumerable.Range(0, Partitions).Select(p => GrainFactory.MessengerConsumer(p).GetProgressAsync()));

    public Task<PartitionProgress[]> ListenAsync(TimeSpan lease) =>
        Task.WhenAll(Enumerable.Range(0, Partitions).Select(p => GrainFactory.MessengerConsumer(p).ListenAsync(lease)));

    public Task<ConsumedMessage[]> ReadConsumedAsync(int partition, long afterSequence, int maxCount) =>
        partition >= 0 && partition < Partitions
            ? GrainFactory.MessengerConsumer(partition).ReadConsumedAsync(afterSequence, maxCount)
            : Task.FromResult<ConsumedMessage[]>([]);

    public Task<ConsumedMessage[]> ReadFailedAsync(int afterPartition, long afterSequence, int maxCount) =>
        store.ReadFailedAsync(Topics.News, afterPartition, afterSequence, Math.Clamp(maxCount, 1, MaxFailedPage));
}
