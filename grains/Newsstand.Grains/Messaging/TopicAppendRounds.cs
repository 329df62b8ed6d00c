using Newsstand.Data;
using Newsstand.Errors;

namespace Newsstand.Messaging;

/// <summary>
/// Hands the partitions' append units of this silo to the group commit in rounds: while one round is being committed,
/// the units that become ready wait here, and when it ends the next round queues all of them at once.
/// <para>
/// Each partition commits one unit at a time, so its next unit is ready only after its previous commit, and the
/// partitions used to queue theirs one by one from their own turns: the group commit, idle for a moment after a commit,
/// started the next one with the first unit to arrive, and the others waited for the commit after it. On PostgreSQL,
/// where a commit's round trips and WAL flush cost the server and the silo more than SQLite's, that made commits of
/// about four messages. A round's units go to the writer as one write unit, so they are in one commit; a unit still
/// commits or fails alone, with its own error (a round that fails on a conflict is written again unit by unit), and a
/// partition still has at most one unit here or in the writer: the log's rules (<see cref="TopicPartitionLog"/>) do
/// not change.
/// </para>
/// </summary>
internal sealed class TopicAppendRounds(NewsstandDb db)
{
    private readonly Lock _gate = new();
    private List<WaitingUnit> _waiting = [];
    private bool _committing;

    /// <summary>Commits <paramref name="rows"/> as one unit (<see cref="NewsstandDb.WriteUnitAsync"/>), in the next round.</summary>
    public Task WriteUnitAsync(WriteRow[] rows)
    {
        lock (_gate)
        {
            if (_committing)
            {
                var unit = new WaitingUnit(rows);
                _waiting.Add(unit);
                return unit.Written.Task;
            }
            _committing = true;
        }
        var written = Write(rows);
        _ = RunRoundsAsync(written);
        return written;
    }

    /// <summary>Waits for each round to end, then writes every unit that waited meanwhile as the next; stops when none did.</summary>
    private async Task RunRoundsAsync(Task first)
    {
        var round = first;
        while (true)
        {
            // Off the grain's turn: the next round is queued from the pool, whichever partition's unit ended this one.
            await round.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            List<WaitingUnit> next;
            lock (_gate)
            {
                if (_waiting.Count == 0)
                {
                    _committing = false;
                    return;
                }
                next = _waiting;
                _waiting = [];
            }
            round = WriteTogetherAsync(next);
        }
    }

    /// <summary>
    /// Writes the units as one: queued one by one, the first would wake the writer, which may start its commit before the
    /// rest are queued. A commit that failed stored none of them; if the failure may be one unit's own (a conflict), each
    /// is written again alone, so it fails alone with its own error and the others are stored.
    /// </summary>
    private async Task WriteTogetherAsync(List<WaitingUnit> units)
    {
        try
        {
            await Write(units.Count == 1 ? units[0].Rows : [.. units.SelectMany(u => u.Rows)]).ConfigureAwait(false);
        }
        catch (Exception error) when (units.Count > 1 && error is not (CommitOutcomeUnknownException or StorageUnavailableException or OverloadedException))
        {
            await Task.WhenAll(units.Select(WriteAloneAsync)).ConfigureAwait(false);
            return;
        }
        catch (Exception error)
        {
            foreach (var unit in units)
            {
                unit.Written.TrySetException(error);
            }
            return;
        }
        foreach (var unit in units)
        {
            unit.Written.TrySetResult();
        }
    }

    private async Task WriteAloneAsync(WaitingUnit unit)
    {
        try
        {
            await Write(unit.Rows).ConfigureAwait(false);
            unit.Written.TrySetResult();
        }
        catch (Exception error)
        {
            unit.Written.TrySetException(error);
        }
    }

    /// <summary>The unit's write; a refusal at the door (the writer's queue is full) as a failed task, so it fails alone.</summary>
    private Task Write(WriteRow[] rows)
    {
        try
        {
            return db.WriteUnitAsync(rows);
        }
        catch (Exception refused)
        {
            return Task.FromException(refused);
        }
    }

    private sealed class WaitingUnit(WriteRow[] rows)
    {
        public WriteRow[] Rows { get; } = rows;

        // Its caller's continuation belongs to its grain, never to the thread that queued the round.
        public TaskCompletionSource Written { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
