namespace BareKestrel;

/// <summary>
/// The floor's equivalent of our web client's call coalescing, for one chunk grain: a vendor added while no call is
/// under way goes out at once; vendors added meanwhile wait and go together (up to 256, as ours) in the next call
/// when the current one answers. The callers of a call are resumed in one part per core (the first on the answering
/// thread, the others in a work item each), as ours are.
/// </summary>
internal sealed class FloorCoalescer(IVendorChunkGrain chunk)
{
    private const int MaxBatch = 256;
    private static readonly int Parts = Environment.ProcessorCount;

    private readonly Lock _lock = new();
    private readonly List<(Vendor Vendor, TaskCompletionSource<bool> Done)> _waiting = [];
    private bool _sending;

    public Task<bool> AddAsync(Vendor vendor)
    {
        var done = new TaskCompletionSource<bool>();
        bool start;
        lock (_lock)
        {
            _waiting.Add((vendor, done));
            start = !_sending;
            _sending = true;
        }
        if (start)
        {
            _ = SendAsync();
        }
        return done.Task;
    }

    private async Task SendAsync()
    {
        while (true)
        {
            (Vendor Vendor, TaskCompletionSource<bool> Done)[] batch;
            lock (_lock)
            {
                if (_waiting.Count == 0)
                {
                    _sending = false;
                    return;
                }
                var count = Math.Min(_waiting.Count, MaxBatch);
                batch = [.. _waiting.GetRange(0, count)];
                _waiting.RemoveRange(0, count);
            }
            bool[] committed;
            try
            {
                committed = await chunk.AddManyAsync(Array.ConvertAll(batch, b => b.Vendor)).ConfigureAwait(false);
            }
            catch (Exception error)
            {
                Settle(batch, i => batch[i].Done.TrySetException(error));
                continue;
            }
            Settle(batch, i => batch[i].Done.TrySetResult(committed[i]));
        }
    }

    private static void Settle((Vendor, TaskCompletionSource<bool>)[] batch, Action<int> settle)
    {
        var size = (batch.Length + Parts - 1) / Parts;
        for (var start = size; start < batch.Length; start += size)
        {
            var (from, to) = (start, Math.Min(start + size, batch.Length));
            ThreadPool.UnsafeQueueUserWorkItem(_ => Settle(from, to, settle), null);
        }
        Settle(0, Math.Min(size, batch.Length), settle);
    }

    private static void Settle(int from, int to, Action<int> settle)
    {
        for (var i = from; i < to; i++)
        {
            settle(i);
        }
    }
}
