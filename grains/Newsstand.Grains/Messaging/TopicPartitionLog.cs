using Microsoft.EntityFrameworkCore;
using Newsstand.Data;
using Newsstand.Errors;

namespace Newsstand.Messaging;

/// <summary>
/// The append side of one partition's log. Appends queue in memory; one commit at a time takes every
/// waiting append (up to a bound) as one write unit with the next consecutive sequence numbers, so numbers
/// become visible in order and a failed commit leaves no gap. The numbers come from the last committed one;
/// if another writer of the partition (a second activation during a membership change) took them first,
/// the unique key (topic, partition, seq) refuses the whole unit, and it is retried after reading the
/// log's end again. Not thread-safe: used from one grain activation (one turn at a time).
/// </summary>
internal sealed class TopicPartitionLog(NewsstandDb db, string topic, int partition, int maxBatch, TimeProvider time, Action<long, int>? committed = null)
{
    /// <summary>Tries of one unit when other writers keep taking its numbers.</summary>
    public const int MaxAttempts = 8;

    private readonly List<PendingAppend> _waiting = [];
    private long? _last;
    private bool _flushing;

    /// <summary>Appends a message; completes with its sequence number once it is committed.</summary>
    public Task<long> AppendAsync(int key, string json)
    {
        var append = new PendingAppend(key, json);
        _waiting.Add(append);
        if (!_flushing)
        {
            _ = FlushAsync();
        }
        return append.Completion.Task;
    }

    /// <summary>The sequence number of the last committed message (read from the database when not known).</summary>
    public async Task<long> LastSequenceAsync() => _last ??= await LoadLastAsync();

    private async Task FlushAsync()
    {
        _flushing = true;
        try
        {
            while (_waiting.Count > 0)
            {
                var count = Math.Min(_waiting.Count, maxBatch);
                var unit = _waiting.GetRange(0, count);
                _waiting.RemoveRange(0, count);
                await CommitAsync(unit);
            }
        }
        finally
        {
            _flushing = false;
        }
    }

    private async Task CommitAsync(List<PendingAppend> unit)
    {
        var received = time.GetUtcNow();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var last = _last ??= await LoadLastAsync();
                var rows = new WriteRow[unit.Count];
                for (var i = 0; i < unit.Count; i++)
                {
                    rows[i] = new WriteRow(new TopicMessage(topic, partition, last + 1 + i, unit[i].Key, unit[i].Json, received), EntityState.Added);
                }
                await db.WriteUnitAsync(rows);
                _last = last + unit.Count;
                for (var i = 0; i < unit.Count; i++)
                {
                    unit[i].Completion.TrySetResult(last + 1 + i);
                }
                committed?.Invoke(last + unit.Count, unit.Count);
                return;
            }
            catch (RecordConflictException) when (attempt < MaxAttempts)
            {
                // Another writer of this partition took these numbers: read the log's end again and renumber.
                _last = null;
            }
            catch (Exception error)
            {
                // A failed commit may still have landed (a connection lost during COMMIT): read the end again next time.
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

    private Task<long> LoadLastAsync() => db.ReadAsync(async context =>
        await context.Set<TopicMessage>().Where(m => m.Topic == topic && m.Partition == partition).MaxAsync(m => (long?)m.Seq) ?? 0);

    private sealed class PendingAppend(int key, string json)
    {
        public int Key { get; } = key;

        public string Json { get; } = json;

        public TaskCompletionSource<long> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
