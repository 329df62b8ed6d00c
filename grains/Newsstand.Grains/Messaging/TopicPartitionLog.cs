using Microsoft.EntityFrameworkCore;
using Newsstand.Data;
using Newsstand.Errors;

namespace Newsstand.Messaging;

/// <summary>
/// The append side of one partition's log. Appends queue in memory (at most <see cref="Limits.QueueLength"/>; beyond
/// that an append is refused at once); one commit at a time takes every waiting append (up to a bound) as one write
/// unit with the next consecutive sequence numbers, so numbers become visible in order and a failed commit leaves no
/// gap. The unit joins the silo's group commit: a multi-row insert beside every other write of that moment.
/// <para>
/// Each message carries an id, unique in the topic. An append whose id is already in the log is answered with the
/// stored message's position and not stored again, so a client's retry after an unknown outcome takes effect once.
/// The numbers come from the last committed one; if another writer of the partition (a second activation during a
/// membership change) took them first, the unique key (topic, partition, seq) refuses the unit, and it is retried
/// after reading the log's end again. An append that waited longer than <see cref="Limits.MaxWait"/> is refused, never
/// committed: its caller (whose own call times out later) must not see an answer of failure for a message that
/// lands afterwards. Not thread-safe: used from one grain activation (one turn at a time).
/// </para>
/// </summary>
internal sealed class TopicPartitionLog(TopicLogStore store, NewsstandDb db, string topic, int partition, TopicPartitionLog.Limits limits,
    TimeProvider time, Action<TopicMessage[]>? committed = null)
{
    /// <summary>Tries of one unit when other writers keep taking its numbers.</summary>
    public const int MaxAttempts = 8;

    private readonly List<PendingAppend> _waiting = [];
    private long? _last;
    private bool _flushing;

    /// <summary>Bounds of the log: appends per commit, appends waiting, and how long one may wait for its commit to start.</summary>
    public sealed record Limits(int MaxBatch, int QueueLength, TimeSpan MaxWait);

    /// <summary>Appends a message; completes with its sequence number once it is committed (or once an earlier append of the
    /// same <paramref name="messageId"/> is found in the log).</summary>
    public Task<long> AppendAsync(int key, string json, string messageId)
    {
        var appended = Queue(key, json, messageId);
        StartFlush();
        return appended;
    }

    /// <summary>Appends <paramref name="messages"/> in order, as <see cref="AppendAsync"/> does each; all of them are queued
    /// before a commit starts, so they go in one unit. An append the full queue refuses completes with its
    /// <see cref="OverloadedException"/>; the others are still appended.</summary>
    public Task<long>[] AppendMany(IReadOnlyList<(int Key, string Json, string MessageId)> messages)
    {
        // One at a time, each append would start the commit of the first alone and leave the rest for the next commit:
        // a call of a few sends took two commits in a row, and each commit carried half as many messages.
        var appended = new Task<long>[messages.Count];
        for (var i = 0; i < messages.Count; i++)
        {
            try
            {
                appended[i] = Queue(messages[i].Key, messages[i].Json, messages[i].MessageId);
            }
            catch (OverloadedException refused)
            {
                appended[i] = Task.FromException<long>(refused);
            }
        }
        StartFlush();
        return appended;
    }

    private Task<long> Queue(int key, string json, string messageId)
    {
        if (_waiting.Count >= limits.QueueLength)
        {
            throw new OverloadedException($"{topic} partition {partition}", 1);
        }
        var append = new PendingAppend(key, json, messageId, time.GetTimestamp());
        _waiting.Add(append);
        return append.Completion.Task;
    }

    private void StartFlush()
    {
        if (!_flushing && _waiting.Count > 0)
        {
            _ = FlushAsync();
        }
    }

    /// <summary>The sequence number of the last committed message (read from the database when not known).</summary>
    public async Task<long> LastSequenceAsync() => _last ??= await store.LastSequenceAsync(topic, partition);

    private async Task FlushAsync()
    {
        _flushing = true;
        try
        {
            while (_waiting.Count > 0)
            {
                var count = Math.Min(_waiting.Count, limits.MaxBatch);
                var unit = _waiting.GetRange(0, count);
                _waiting.RemoveRange(0, count);
                await CommitAsync(Unexpired(unit));
            }
        }
        finally
        {
            _flushing = false;
        }
    }

    /// <summary>The appends that may still be committed; the others are refused (503: nothing was appended).</summary>
    private List<PendingAppend> Unexpired(List<PendingAppend> unit)
    {
        var now = time.GetTimestamp();
        foreach (var append in unit.Where(a => time.GetElapsedTime(a.Queued, now) > limits.MaxWait))
        {
            append.Completion.TrySetException(new OverloadedException($"{topic} partition {partition}", 1));
        }
        return unit.FindAll(a => !a.Completion.Task.IsCompleted);
    }

    private async Task CommitAsync(List<PendingAppend> unit)
    {
        var received = time.GetUtcNow();
        for (var attempt = 1; unit.Count > 0; attempt++)
        {
            try
            {
                var last = _last ??= await store.LastSequenceAsync(topic, partition);
                var messages = new TopicMessage[unit.Count];
                var rows = new WriteRow[unit.Count];
                for (var i = 0; i < unit.Count; i++)
                {
                    messages[i] = new TopicMessage(topic, partition, last + 1 + i, unit[i].Key, unit[i].Json, received, unit[i].MessageId);
                    rows[i] = new WriteRow(messages[i], EntityState.Added);
                }
                await db.WriteUnitAsync(rows);
                _last = last + unit.Count;
                for (var i = 0; i < unit.Count; i++)
                {
                    unit[i].Completion.TrySetResult(last + 1 + i);
                }
                committed?.Invoke(messages);
                return;
            }
            catch (RecordConflictException) when (attempt < MaxAttempts)
            {
                // Another writer of this partition took these numbers, or some of the messages were appended before (a
                // replay): those are answered with their stored position, the rest renumbered from the log's end.
                _last = null;
                unit = await WithoutReplaysAsync(unit);
            }
            catch (Exception error)
            {
                // A commit that failed may still have landed (a connection lost during COMMIT): read the end again next time.
                _last = null;
                var answer = error is RecordConflictException ? new OverloadedException($"{topic} partition {partition}", 1) : error;
                foreach (var append in unit)
                {
                    append.Completion.TrySetException(answer);
                }
                return;
            }
        }
    }

    private async Task<List<PendingAppend>> WithoutReplaysAsync(List<PendingAppend> unit)
    {
        var appended = await store.FindAppendedAsync(topic, partition, [.. unit.Select(a => a.MessageId)]);
        foreach (var append in unit)
        {
            if (appended.TryGetValue(append.MessageId, out var sequence))
            {
                append.Completion.TrySetResult(sequence);
            }
        }
        // Two appends of one id in the same unit: the first goes in, the second answers as the first does.
        var first = new Dictionary<string, PendingAppend>();
        var rest = new List<PendingAppend>();
        foreach (var append in unit.Where(a => !a.Completion.Task.IsCompleted))
        {
            if (first.TryAdd(append.MessageId, append))
            {
                rest.Add(append);
            }
            else
            {
                _ = AnswerLikeAsync(append, first[append.MessageId]);
            }
        }
        return rest;
    }

    private static async Task AnswerLikeAsync(PendingAppend replay, PendingAppend original)
    {
        try
        {
            replay.Completion.TrySetResult(await original.Completion.Task);
        }
        catch (Exception error)
        {
            replay.Completion.TrySetException(error);
        }
    }

    private sealed class PendingAppend(int key, string json, string messageId, long queued)
    {
        public int Key { get; } = key;

        public string Json { get; } = json;

        public string MessageId { get; } = messageId;

        public long Queued { get; } = queued;

        public TaskCompletionSource<long> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
