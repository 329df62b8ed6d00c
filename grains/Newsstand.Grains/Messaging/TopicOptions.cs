using System.ComponentModel.DataAnnotations;

namespace Newsstand.Messaging;

/// <summary>The topic <c>newstopic</c> and its consumers (section <c>Topic</c>); every silo of a cluster must agree.</summary>
public sealed class TopicOptions
{
    public const string SectionName = "Topic";

    /// <summary>Partitions of the topic: each has its own log, sequence numbers and consumer. Changing it moves keys to other
    /// partitions; web clients read it once when they first send, so restart them after a change.</summary>
    [Range(1, 256)]
    public int Partitions { get; set; } = 4;

    /// <summary>Most messages a consumer reads from the log at once.</summary>
    [Range(1, 10_000)]
    public int ConsumerBatchSize { get; set; } = 256;

    /// <summary>
    /// How long a consumer lets messages gather after a batch smaller than <see cref="ConsumerBatchSize"/> before it reads
    /// again: each batch costs a read, the owners' reservations, one commit and a publish, whatever its size, so under a
    /// steady stream of sends a short pause makes batches larger and consumption cheaper. Zero reads again at once.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:01")]
    public TimeSpan ConsumerLinger { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Most messages one append commit of a partition takes (appends waiting meanwhile go together).</summary>
    [Range(1, 10_000)]
    public int AppendBatchSize { get; set; } = 512;

    /// <summary>Appends that may wait for a partition's next commit; beyond this a send answers 503 with Retry-After at once.</summary>
    [Range(1, 1_000_000)]
    public int AppendQueueLength { get; set; } = 4096;

    /// <summary>
    /// Longest wait of an append for its commit to start; an append that waited longer is refused (503, nothing appended),
    /// never committed later. Kept well below the web client's 30 s response timeout, so a send whose caller gave up
    /// has not been appended behind its back.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:20")]
    public TimeSpan AppendMaxWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often a consumer looks at its log without being told (a safety net: appends wake it at once).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan ConsumerPollPeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often every silo makes sure that each partition's consumer runs (and reactivates the consumers of a dead silo).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan KeeperPeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>First wait before a consumer retries after a transient fault; it doubles (with jitter) up to <see cref="RetryMaxDelay"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest wait between two retries of one message; a consumer retries without end and never skips a message.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>When true the consumers do not consume (maintenance; the log keeps every send until they resume).</summary>
    public bool PauseConsumers { get; set; }
}
