namespace Newsstand.Messaging;

/// <summary>
/// The messages a partition handed its consumer after committing them: one run of consecutive sequence numbers, kept
/// in memory so that the consumer need not read them back from the log. Only a cache: what is not here (the wake-up was
/// lost, came out of order, or the run outgrew <see cref="Capacity"/>) the consumer reads from the log, which stays the
/// source of truth. Not thread-safe: used from one grain activation.
/// </summary>
internal sealed class ArrivedMessages(int capacity)
{
    private readonly Queue<TopicMessage> _run = new();
    private long _lastSequence;

    public int Capacity { get; } = capacity;

    /// <summary>Adds <paramref name="messages"/> (consecutive) to the run; a batch that does not continue it starts a new one.</summary>
    public void Add(TopicMessage[] messages)
    {
        if (messages.Length == 0)
        {
            return;
        }
        if (_run.Count > 0 && messages[0].Seq != _lastSequence + 1)
        {
            _run.Clear();
        }
        if (_run.Count + messages.Length > Capacity)
        {
            // Far behind: these are read from the log later (a run starts again at the next wake-up that fits).
            return;
        }
        foreach (var message in messages)
        {
            _run.Enqueue(message);
        }
        _lastSequence = messages[^1].Seq;
    }

    /// <summary>
    /// The next at most <paramref name="max"/> messages after <paramref name="checkpoint"/>; empty when the run does not
    /// hold the message right after it (those are in the log only). What the checkpoint has passed is dropped; what is
    /// answered stays until it has (a batch that is retried finds it again).
    /// </summary>
    public TopicMessage[] After(long checkpoint, int max)
    {
        while (_run.TryPeek(out var first) && first.Seq <= checkpoint)
        {
            _run.Dequeue();
        }
        if (!_run.TryPeek(out var next) || next.Seq != checkpoint + 1)
        {
            return [];
        }
        var batch = new TopicMessage[Math.Min(max, _run.Count)];
        var i = 0;
        foreach (var message in _run)
        {
            if (i == batch.Length)
            {
                break;
            }
            batch[i++] = message;
        }
        return batch;
    }
}
