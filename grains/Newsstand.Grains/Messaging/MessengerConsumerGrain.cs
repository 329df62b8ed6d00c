using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Newsstand.Data;
using Newsstand.Errors;
using Newsstand.Grains;
using Newsstand.Records;
using Orleans.Concurrency;
using Orleans.Streams;
using Polly;

namespace Newsstand.Messaging;

/// <summary>
/// The consumer of one partition of <see cref="Topics.News"/>. It drains the log in order from its checkpoint:
/// each messenger goes to the messenger table's owner together with the checkpoint's advance (one
/// transaction), a rejected one is recorded as failed together with the advance, and a transient fault is
/// retried until it passes. The advance is conditional on the checkpoint this consumer read, so a message
/// takes effect once even if the consumer is restarted, a call's outcome was unknown, or two activations
/// briefly coexist: the loser re-reads the checkpoint and carries on from there. What it consumed is
/// published to the live feed (<see cref="ProviderNames.ConsumedMessages"/>).
/// </summary>
[Reentrant] // Only the drain (one at a time) changes the checkpoint; wake-ups and reads interleave with its awaits.
[KeepAlive] // Consumers run whether or not anyone watches; the silos' keepers reactivate them after a failure.
internal sealed partial class MessengerConsumerGrain(
    NewsstandDb db, TimeProvider time, IOptions<TopicOptions> options, TopicMetrics metrics, ILogger<MessengerConsumerGrain> logger)
    : Grain, IMessengerConsumerGrain, IDisposable
{
    private const string Topic = Topics.News;
    private const int PublishEvery = 64;
    private const int MaxReadCount = 1000;

    private readonly CancellationTokenSource _stopping = new();
    private int _partition;
    private long _checkpoint;
    private long _last;
    private Task _draining = Task.CompletedTask;
    private bool _again;
    private ResiliencePipeline _retry = ResiliencePipeline.Empty;
    private IAsyncStream<ConsumedBatch>? _feed;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _partition = (int)this.GetPrimaryKeyLong();
        _retry = ConsumerRetry.Create(options.Value, time, logger, () => metrics.Retried(Topic, _partition));
        _checkpoint = await LoadCheckpointAsync();
        _last = Math.Max(_checkpoint, await db.ReadAsync(async context =>
            await context.Set<TopicMessage>().Where(m => m.Topic == Topic && m.Partition == _partition).MaxAsync(m => (long?)m.Seq, cancellationToken) ?? 0));
        Report();
        _feed = this.GetStreamProvider(ProviderNames.Streams).GetStream<ConsumedBatch>(StreamId.Create(ProviderNames.ConsumedMessages, Topic));
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

    public Task WakeAsync(long lastSequence)
    {
        _last = Math.Max(_last, lastSequence);
        Report();
        Kick();
        return Task.CompletedTask;
    }

    public Task<PartitionProgress> GetProgressAsync() => Task.FromResult(new PartitionProgress(_partition, Math.Max(_last, _checkpoint), _checkpoint));

    public Task<ConsumedMessage[]> ReadConsumedAsync(long afterSequence, int maxCount) =>
        ReadAsync(afterSequence, _checkpoint, Math.Clamp(maxCount, 1, MaxReadCount));

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
                while (!stopping.IsCancellationRequested)
                {
                    var from = _checkpoint;
                    var batch = await _retry.RunOnGrainAsync(() => ReadLogAsync(from, options.Value.ConsumerBatchSize, stopping), stopping);
                    if (batch.Length == 0)
                    {
                        break;
                    }
                    await ConsumeAsync(batch, stopping);
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

    private async Task ConsumeAsync(TopicMessage[] batch, CancellationToken stopping)
    {
        var consumed = new List<ConsumedMessage>();
        foreach (var message in batch)
        {
            if (message.Seq != _checkpoint + 1)
            {
                // Someone else moved the checkpoint (or the log has a hole, which appends never leave): read again from it.
                break;
            }
            var outcome = await _retry.RunOnGrainAsync(() => ConsumeOneAsync(message), stopping);
            if (outcome is null)
            {
                break;
            }
            consumed.Add(outcome);
            if (consumed.Count >= PublishEvery)
            {
                await PublishAsync(consumed);
                consumed = [];
            }
        }
        await PublishAsync(consumed);
    }

    /// <summary>Applies one message with the checkpoint's advance; null when another consumer had already moved the checkpoint.</summary>
    private async Task<ConsumedMessage?> ConsumeOneAsync(TopicMessage message)
    {
        var advance = new CompanionRow(new TopicCheckpoint(Topic, _partition, message.Seq), new TopicCheckpoint(Topic, _partition, _checkpoint));
        string reason;
        try
        {
            var messenger = JsonSerializer.Deserialize<MessengerRecord>(message.Payload, NewsstandJson.Options)
                ?? throw new JsonException("The message is null.");
            await GrainFactory.RecordOwner<MessengerRecord>(messenger.Id).AddWithCompanionAsync(messenger, advance);
            return Advanced(message, applied: true, reason: null);
        }
        catch (RecordConflictException conflict) when (conflict.Field == "id")
        {
            reason = conflict.Message;
        }
        catch (MissingReferenceException missing)
        {
            reason = missing.Message;
        }
        catch (JsonException unreadable)
        {
            reason = $"The message is not a messenger record: {unreadable.Message}";
        }
        catch (StaleWriteException)
        {
            await ReloadCheckpointAsync();
            return null;
        }
        if (reason.Length > TopicTables.ReasonLength)
        {
            reason = reason[..TopicTables.ReasonLength];
        }
        try
        {
            await db.WriteUnitAsync(
                new WriteRow(new TopicFailure(Topic, _partition, message.Seq, reason, time.GetUtcNow()), EntityState.Added),
                new WriteRow(advance.Row, EntityState.Modified, advance.Expected));
        }
        catch (Exception superseded) when (superseded is StaleWriteException or RecordConflictException)
        {
            // Another consumer recorded this message first.
            await ReloadCheckpointAsync();
            return null;
        }
        LogRejected(_partition, message.Seq, reason);
        return Advanced(message, applied: false, reason);
    }

    private ConsumedMessage Advanced(TopicMessage message, bool applied, string? reason)
    {
        _checkpoint = message.Seq;
        _last = Math.Max(_last, message.Seq);
        metrics.Consumed(Topic, _partition, applied);
        Report();
        return new ConsumedMessage(_partition, message.Seq, message.Payload, applied, reason, message.ReceivedAt);
    }

    private async Task PublishAsync(List<ConsumedMessage> consumed)
    {
        if (consumed.Count == 0 || _feed is null)
        {
            return;
        }
        try
        {
            await _feed.OnNextAsync(new ConsumedBatch(_partition, [.. consumed]));
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            // Live readers notice the gap at their next event and fill it from the log.
            LogPublishFailed(_partition, error.GetType().Name);
        }
    }

    private void Report() => metrics.Progress(Topic, _partition, Math.Max(_last, _checkpoint), _checkpoint);

    private Task<TopicMessage[]> ReadLogAsync(long after, int max, CancellationToken cancellationToken) =>
        db.ReadAsync(context => context.Set<TopicMessage>()
            .Where(m => m.Topic == Topic && m.Partition == _partition && m.Seq > after)
            .OrderBy(m => m.Seq).Take(max).ToArrayAsync(cancellationToken));

    private Task<ConsumedMessage[]> ReadAsync(long after, long upTo, int max)
    {
        var partition = _partition;
        return db.ReadAsync(async context =>
        {
            var rows = await (
                from m in context.Set<TopicMessage>()
                where m.Topic == Topic && m.Partition == partition && m.Seq > after && m.Seq <= upTo
                join f in context.Set<TopicFailure>() on new { m.Topic, m.Partition, m.Seq } equals new { f.Topic, f.Partition, f.Seq } into failures
                from f in failures.DefaultIfEmpty()
                orderby m.Seq
                select new { m.Seq, m.Payload, m.ReceivedAt, Reason = f == null ? null : f.Reason })
                .Take(max).ToListAsync();
            return rows.Select(r => new ConsumedMessage(partition, r.Seq, r.Payload, r.Reason is null, r.Reason, r.ReceivedAt)).ToArray();
        });
    }

    /// <summary>The stored checkpoint, created at 0 the first time the partition is consumed.</summary>
    private async Task<long> LoadCheckpointAsync()
    {
        if (await FindCheckpointAsync() is { } stored)
        {
            return stored;
        }
        try
        {
            await db.InsertAsync(new TopicCheckpoint(Topic, _partition, 0));
            return 0;
        }
        catch (RecordConflictException)
        {
            // Created meanwhile by another activation.
            return await FindCheckpointAsync() ?? 0;
        }
    }

    private async Task ReloadCheckpointAsync()
    {
        var stored = await FindCheckpointAsync() ?? _checkpoint;
        LogSuperseded(_partition, _checkpoint, stored);
        _checkpoint = stored;
        Report();
    }

    private Task<long?> FindCheckpointAsync()
    {
        var partition = _partition;
        return db.ReadAsync(context => context.Set<TopicCheckpoint>()
            .Where(c => c.Topic == Topic && c.Partition == partition).Select(c => (long?)c.Position).FirstOrDefaultAsync());
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Message {Partition}-{Sequence} of newstopic was recorded as failed: {Reason}")]
    private partial void LogRejected(int partition, long sequence, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The checkpoint of newstopic partition {Partition} was moved by another consumer ({Mine} -> {Stored}); continuing from it.")]
    private partial void LogSuperseded(int partition, long mine, long stored);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The consumer of newstopic partition {Partition} could not publish to the live feed ({Error}).")]
    private partial void LogPublishFailed(int partition, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "The consumer of newstopic partition {Partition} stopped draining; it resumes at its next wake-up.")]
    private partial void LogDrainFailed(Exception error, int partition);
}
