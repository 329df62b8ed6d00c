using Microsoft.Extensions.Options;
using Newsstand.Data;
using Newsstand.Errors;
using Newsstand.Grains;
using Orleans.Concurrency;

namespace Newsstand.Messaging;

/// <summary>
/// The owner of one partition of a topic's log: it numbers and commits appends (<see cref="TopicPartitionLog"/>)
/// and, after each commit, wakes the partition's consumer.
/// </summary>
[Reentrant] // An append only queues its message synchronously; the log commits one unit at a time.
internal sealed class TopicPartitionGrain(TopicLogStore store, NewsstandDb db, TimeProvider time, IOptions<TopicOptions> options, TopicMetrics metrics)
    : Grain, ITopicPartitionGrain
{
    private TopicPartitionLog _log = null!;
    // Made once: a new reference per commit (resolving its interface type) cost several percent of the silo per send.
    private IMessengerConsumerGrain? _consumer;
    private string _topic = "";
    private int _partition;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _partition = (int)this.GetPrimaryKeyLong(out var topic);
        _topic = topic!;
        var settings = options.Value;
        _log = new TopicPartitionLog(store, db, _topic, _partition,
            new TopicPartitionLog.Limits(settings.AppendBatchSize, settings.AppendQueueLength, settings.AppendMaxWait), time, Committed);
        return Task.CompletedTask;
    }

    public async Task<TopicPosition> AppendAsync(int key, string json, string? messageId) =>
        new(_partition, await _log.AppendAsync(key, json, messageId ?? MessageIds.New()));

    public async Task<AppendOutcome[]> AppendManyAsync(TopicAppend[] messages)
    {
        var appends = _log.AppendMany([.. messages.Select(m => (m.Key, m.Json, m.MessageId ?? MessageIds.New()))]);
        var outcomes = new AppendOutcome[messages.Length];
        for (var i = 0; i < appends.Length; i++)
        {
            try
            {
                outcomes[i] = new AppendOutcome(await appends[i], null);
            }
            catch (NewsstandException error)
            {
                outcomes[i] = new AppendOutcome(0, error);
            }
        }
        return outcomes;
    }

    public Task<long> GetLastSequenceAsync() => _log.LastSequenceAsync();

    private void Committed(TopicMessage[] messages)
    {
        metrics.Appended(_topic, _partition, messages.Length, messages[^1].Seq);
        if (_topic == Topics.News)
        {
            // One-way: the messages save the consumer reading them back; a lost wake-up is caught by its poll timer, which reads the log.
            (_consumer ??= GrainFactory.MessengerConsumer(_partition)).WakeAsync(messages).Ignore();
        }
    }
}
