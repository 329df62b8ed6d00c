using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Newsstand.Data;
using Newsstand.Errors;
using Newsstand.Grains;
using Orleans.Concurrency;
using Polly;

namespace Newsstand.Messaging;

/// <summary>
/// The consumer of one partition of <see cref="Topics.News"/>: a drain loop over the log from its checkpoint. Each
/// round takes a batch (the messages its partition handed it after their commit, <see cref="ArrivedMessages"/>, or else
/// read from the log, <see cref="TopicLogStore"/>) and applies it in one transaction (<see cref="MessengerBatch"/>),
/// then publishes what it consumed while a reader listens (<see cref="ConsumedFeed"/>). A transient fault (database
/// unavailable, an unknown commit outcome, an id another request is writing, a hole in the log) is retried after a
/// growing wait until it passes. The checkpoint only moves from the position this consumer read, so a message takes effect once even if
/// the consumer is restarted or two activations briefly coexist: the loser re-reads the checkpoint and carries on.
/// </summary>
[Reentrant] // Only the drain (one at a time) changes the checkpoint; wake-ups and reads interleave with its awaits.
[KeepAlive] // Consumers run whether or not anyone watches; the silos' keepers reactivate them after a failure.
internal sealed partial class MessengerConsumerGrain(
    NewsstandDb db, TopicLogStore store, TimeProvider time, IOptions<TopicOptions> options, TopicMetrics metrics, ILogger<MessengerConsumerGrain> logger)
    : Grain, IMessengerConsumerGrain, IDisposable
{
    private const string Topic = Topics.News;
    private const int MaxReadCount = 1000;

    /// <summary>The longest a reader's word that it listens counts (<see cref="ListenAsync"/>).</summary>
    private static readonly TimeSpan MaxLease = TimeSpan.FromMinutes(10);

    /// <summary>Handed messages kept in memory, in batches of <see cref="TopicOptions.ConsumerBatchSize"/>; a consumer further behind reads the log.</summary>
    private const int ArrivedBatches = 8;

    private readonly CancellationTokenSource _stopping = new();
    private int _partition;
    private long _checkpoint;
    private long _last;
    private Task _draining = Task.CompletedTask;
    private bool _again;
    private ResiliencePipeline _retry = ResiliencePipeline.Empty;
    private MessengerBatch _batch = null!;
    private ConsumedFeed? _feed;
    private ArrivedMessages _arrived = null!;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _partition = (int)this.GetPrimaryKeyLong();
        _retry = ConsumerRetry.Create(options.Value, time, logger, () => metrics.Retried(Topic, _partition));
        _batch = new MessengerBatch(GrainFactory, db, time, Topic, _partition, logger);
        _arrived = new ArrivedMessages(ArrivedBatches * options.Value.ConsumerBatchSize);
        _checkpoint = await store.LoadCheckpointAsync(Topic, _partition);
        _last = Math.Max(_checkpoint, await store.LastSequenceAsync(Topic, _partition, cancellationToken));
        Report();
        _feed = new ConsumedFeed(this.GetStreamProvider(ProviderNames.Streams).GetStream<ConsumedBatch>(StreamId.Create(ProviderNames.ConsumedMessages, Topic)),
            _partition, time, logger);
        var period = options.Value.ConsumerPollPeriod;
        this.RegisterGrainTimer(() =>
        {
            Kick();
            return Task.CompletedTask;
        }, new GrainTimerCreationOptions(period, period) { Interleave = true, KeepAlive = true });
        Kick();
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _draining.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
    }

    public void Dispose() => _stopping.Dispose();

    public Task<PartitionProgress> EnsureRunningAsync()
    {
        Kick();
        return GetProgressAsync();
    }

    public Task WakeAsync(TopicMessage[] appended)
    {
        if (appended.Length == 0 || appended[0].Topic != Topic || appended[0].Partition != _partition)
        {
            return Task.CompletedTask;
        }
        _arrived.Add(appended);
        _last = Math.Max(_last, appended[^1].Seq);
        Report();
        Kick();
        return Task.CompletedTask;
    }

    public Task<PartitionProgress> GetProgressAsync() => Task.FromResult(new PartitionProgress(_partition, Math.Max(_last, _checkpoint), _checkpoint));

    public Task<PartitionProgress> ListenAsync(TimeSpan lease)
    {
        // In the same turn as the progress it answers: a batch whose checkpoint is not in that answer is published.
        _feed!.Listen(TimeSpan.FromTicks(Math.Clamp(lease.Ticks, 0, MaxLease.Ticks)));
        return GetProgressAsync();
    }

    public Task<ConsumedMessage[]> ReadConsumedAsync(long afterSequence, int maxCount) =>
        store.ReadConsumedAsync(Topic, _partition, afterSequence, _checkpoint, Math.Clamp(maxCount, 1, MaxReadCount));

    /// <summary>Starts a drain unless one runs; a running one is told to look again before it stops.</summary>
    private void Kick()
    {
        if (options.Value.PauseConsumers || _stopping.IsCancellationRequested)
        {
            return;
        }
        if (!_draining.IsCompleted)
        {
            _again = true;
            return;
        }
        _draining = DrainAsync();
    }

    private async Task DrainAsync()
    {
        var stopping = _stopping.Token;
        try
        {
            do
            {
                _again = false;
                while (!stopping.IsCancellationRequested && await _retry.RunOnGrainAsync(() => ConsumeNextAsync(stopping), stopping))
                {
                }
            }
            while (_again && !stopping.IsCancellationRequested);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Deactivating: the checkpoint is in the database; the next activation carries on from it.
        }
        catch (Exception error)
        {
            // Not expected (retries absorb faults); the next wake-up or poll starts a fresh drain.
            LogDrainFailed(error, _partition);
        }
    }

    /// <summary>Applies the next batch after the checkpoint (handed over, or read from the log); false when the log has nothing more.</summary>
    private async Task<bool> ConsumeNextAsync(CancellationToken stopping)
    {
        var from = _checkpoint;
        var batch = _arrived.After(from, options.Value.ConsumerBatchSize) is { Length: > 0 } arrived ? arrived
            : await store.ReadAfterAsync(Topic, _partition, from, options.Value.ConsumerBatchSize, stopping);
        if (batch.Length == 0)
        {
            return false;
        }
        if (batch[0].Seq != from + 1)
        {
            // Appends never leave a hole; wait for the missing number (or a fix of the log) instead of spinning on it.
            throw new LogGapException(_partition, from + 1);
        }
        var contiguous = batch.TakeWhile((m, i) => m.Seq == from + 1 + i).ToArray();
        ConsumedMessage[] consumed;
        try
        {
            consumed = await _batch.ApplyAsync(contiguous, from);
        }
        catch (StaleWriteException)
        {
            await ReloadCheckpointAsync();
            return true;
        }
        catch (CommitOutcomeUnknownException)
        {
            // The batch may have landed: the stored checkpoint says whether it did; the retry reads on from there.
            await ReloadCheckpointAsync();
            throw;
        }
        if (consumed.Length == 0)
        {
            throw new WriteInProgressException("messenger", contiguous[0].Key);
        }
        var full = contiguous.Length >= options.Value.ConsumerBatchSize;
        _checkpoint = consumed[^1].Sequence;
        _last = Math.Max(_last, _checkpoint);
        var failed = 0;
        foreach (var message in consumed.Where(m => !m.Applied))
        {
            failed++;
            LogRejected(_partition, message.Sequence, message.Reason!);
        }
        metrics.Consumed(Topic, _partition, consumed.Length - failed, failed);
        Report();
        await _feed!.PublishAsync(consumed);
        if (!full && options.Value.ConsumerLinger > TimeSpan.Zero)
        {
            // More is likely on its way: let it gather into the next batch.
            await Task.Delay(options.Value.ConsumerLinger, time, stopping);
        }
        return true;
    }

    private void Report() => metrics.Progress(Topic, _partition, Math.Max(_last, _checkpoint), _checkpoint);

    private async Task ReloadCheckpointAsync()
    {
        var stored = await store.FindCheckpointAsync(Topic, _partition) ?? _checkpoint;
        if (stored != _checkpoint)
        {
            LogSuperseded(_partition, _checkpoint, stored);
        }
        _checkpoint = stored;
        Report();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Message {Partition}-{Sequence} of newstopic was recorded as failed: {Reason}")]
    private partial void LogRejected(int partition, long sequence, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The checkpoint of newstopic partition {Partition} was moved by another consumer ({Mine} -> {Stored}); continuing from it.")]
    private partial void LogSuperseded(int partition, long mine, long stored);

    [LoggerMessage(Level = LogLevel.Error, Message = "The consumer of newstopic partition {Partition} stopped draining; it resumes at its next wake-up.")]
    private partial void LogDrainFailed(Exception error, int partition);
}

/// <summary>The log of a partition lacks the next sequence number after the checkpoint: a transient state the consumer waits out.</summary>
internal sealed class LogGapException(int partition, long missing)
    : Exception($"Message {partition}-{missing} of newstopic is missing from the log; waiting for it.");
