namespace Newsstand.Api.Apis;

/// <summary>
/// Gathers calls to one grain: a call made while none is under way goes out at once; calls made meanwhile wait and go
/// together, up to <paramref name="maxBatch"/>, in the next call as soon as the current one answers. Under load each
/// grain call carries many requests (one message each way instead of one per request); alone, a request waits for
/// nothing. Each caller gets its own item's answer, or the call's failure.
/// </summary>
internal sealed class CallCoalescer<TItem, TResult>(Func<TItem[], Task<TResult[]>> send, int maxBatch)
{
    private readonly Lock _lock = new();
    private readonly List<(TItem Item, TaskCompletionSource<TResult> Answer)> _waiting = [];
    private bool _sending;

    public Task<TResult> CallAsync(TItem item)
    {
        var answer = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
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
            try
            {
                var results = await send([.. batch.Select(b => b.Item)]);
                for (var i = 0; i < batch.Length; i++)
                {
                    batch[i].Answer.TrySetResult(results[i]);
                }
            }
            catch (Exception error)
            {
                foreach (var (_, answer) in batch)
                {
                    answer.TrySetException(error);
                }
            }
        }
    }
}
