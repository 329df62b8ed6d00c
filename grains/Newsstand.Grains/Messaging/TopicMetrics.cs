using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Newsstand.Messaging;

/// <summary>
/// The topics' metrics on meter <see cref="MeterName"/>: per partition, the last sequence number appended, the
/// consumer's checkpoint and their difference (the lag), and counters of messages sent, consumed (applied)
/// and failed (rejected). Gauges report the partitions whose grains live on this silo.
/// </summary>
internal sealed class TopicMetrics
{
    public const string MeterName = "Newsstand.Messaging";

    private readonly ConcurrentDictionary<(string Topic, int Partition), PartitionState> _partitions = new();
    private readonly Counter<long> _sent;
    private readonly Counter<long> _consumed;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _retried;

    public TopicMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _sent = meter.CreateCounter<long>("newsstand.topic.sent", "{message}", "Messages committed to a topic's log.");
        _consumed = meter.CreateCounter<long>("newsstand.topic.consumed", "{message}", "Messages whose effect a consumer applied.");
        _failed = meter.CreateCounter<long>("newsstand.topic.failed", "{message}", "Messages a consumer recorded as failed (rejected effect).");
        _retried = meter.CreateCounter<long>("newsstand.topic.retries", "{attempt}", "Retries of a consumer after a transient fault.");
        meter.CreateObservableGauge("newsstand.topic.last_sequence", () => Observe(s => s.Last), "{message}", "Last sequence number of a partition's log.");
        meter.CreateObservableGauge("newsstand.topic.checkpoint", () => Observe(s => s.Checkpoint), "{message}", "Sequence number up to which a partition's consumer has consumed.");
        meter.CreateObservableGauge("newsstand.topic.consumer_lag", () => Observe(s => Math.Max(0, s.Last - s.Checkpoint)), "{message}",
            "Messages of a partition's log not yet consumed.");
    }

    public void Appended(string topic, int partition, int count, long lastSequence)
    {
        _sent.Add(count, Tags(topic, partition));
        InterlockedMax(ref State(topic, partition).Last, lastSequence);
    }

    public void Progress(string topic, int partition, long lastSequence, long checkpoint)
    {
        var state = State(topic, partition);
        InterlockedMax(ref state.Last, lastSequence);
        Volatile.Write(ref state.Checkpoint, checkpoint);
    }

    /// <summary>Counts one consumed batch: <paramref name="applied"/> messages took effect, <paramref name="failed"/> were rejected.</summary>
    public void Consumed(string topic, int partition, int applied, int failed)
    {
        var tags = Tags(topic, partition);
        _consumed.Add(applied, tags);
        if (failed > 0)
        {
            _failed.Add(failed, tags);
        }
    }

    public void Retried(string topic, int partition) => _retried.Add(1, Tags(topic, partition));

    private PartitionState State(string topic, int partition) => _partitions.GetOrAdd((topic, partition), _ => new PartitionState());

    private IEnumerable<Measurement<long>> Observe(Func<PartitionState, long> value) =>
        _partitions.Select(p => new Measurement<long>(value(p.Value), Tags(p.Key.Topic, p.Key.Partition)));

    private static KeyValuePair<string, object?>[] Tags(string topic, int partition) => [new("topic", topic), new("partition", partition)];

    private static void InterlockedMax(ref long target, long value)
    {
        var current = Volatile.Read(ref target);
        while (value > current && Interlocked.CompareExchange(ref target, value, current) is var seen && seen != current)
        {
            current = seen;
        }
    }

    private sealed class PartitionState
    {
        public long Last;
        public long Checkpoint;
    }
}
