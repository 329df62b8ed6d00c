namespace Newsstand.Api.Apis;

/// <summary>
/// Gathers calls to one grain: a call made while none is under way goes out at once; calls made meanwhile wait and go
/// together, up to <paramref name="maxBatch"/>, in the next call as soon as the current one answers. Under load each
/// grain call carries many requests (one message each way instead of one per request); alone, a request waits for
/// nothing. Each caller gets its own item's answer, or the call's failure.
/// </summary>
/// <remarks>
/// The answers of a call are handed out in one part per core: one part on the thread the call's answer came to, each
/// other part in one thread-pool work item, and in each part the callers resume one after another (their continuations
/// run inline). One work item per caller instead woke a pool thread for each, which cost more than the callers' own
/// work; one part for all would leave the other cores idle while the callers of a large call answer.
/// </remarks>
internal sealed class CallCoalescer<TItem, TResult>(Func<TItem[], Task<TResult[]>> send, int maxBatch)
{
    private static readonly int AnswerParts = Environment.ProcessorCount;

    private readonly Lock _lock = new();
    private readonly List<(TItem Item, TaskCompletionSource<TResult> Answer)> _waiting = [];
    private bool _sending;

    public Task<TResult> CallAsync(TItem item)
    {
        // Without RunContinuationsAsynchronously: the caller resumes inline where its part of the answers is handed out (see the remarks).
        var answer = new TaskCompletionSource<TResult>();
        bool start;
        lock (_lock)
        {
            _waiting.Add((item, answer));
            start = !_sending;
            _sending = true;
        }
        if (start)
        {
            _ = SendAsync();
        }
        return answer.Task;
    }

    private async Task SendAsync()
    {
        while (true)
        {
            (TItem Item, TaskCompletionSource<TResult> Answer)[] batch;
            lock (_lock)
            {
                if (_waiting.Count == 0)
                {
                    _sending = false;
                    return;
                }
                var count = Math.Min(_waiting.Count, maxBatch);
                batch = [.. _waiting.GetRange(0, count)];
                _waiting.RemoveRange(0, count);
            }
            TResult[] results;
            try
            {
                results = await send([.. batch.Select(b => b.Item)]).ConfigureAwait(false);
            }
            catch (Exception error)
            {
                HandOut(batch, (answer, _) => answer.TrySetException(error));
                continue;
            }
            HandOut(batch, (answer, i) => answer.TrySetResult(results[i]));
        }
    }

    /// <summary>Settles every caller of a call (<paramref name="settle"/> gets the caller's answer and its index in the call), in parts.</summary>
    private static void HandOut((TItem Item, TaskCompletionSource<TResult> Answer)[] batch, Action<TaskCompletionSource<TResult>, int> settle) =>
        InParts(batch.Length, (start, end) =>
        {
            for (var i = start; i < end; i++)
            {
                settle(batch[i].Answer, i);
            }
        });

    /// <summary>Runs <paramref name="part"/> over [0, count) in up to <see cref="AnswerParts"/> ranges: the first here, the others each in a work item.</summary>
    private static void InParts(int count, Action<int, int> part)
    {
        var parts = Math.Min(AnswerParts, count);
        var size = (count + parts - 1) / parts;
        for (var start = size; start < count; start += size)
        {
            var (from, to) = (start, Math.Min(start + size, count));
            ThreadPool.UnsafeQueueUserWorkItem(_ => part(from, to), null);
        }
        part(0, Math.Min(size, count));
    }
}
