using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Orleans.Streams;

namespace Newsstand.Api.Streaming;

/// <summary>
/// Orleans streams as async sequences for push channels (SSE and WebSocket clients). A web client holds ONE Orleans
/// subscription per stream, however many of its readers follow it, and fans each item out in memory: an item
/// crosses the gateway once per web client, not once per reader. Each reader has its own bounded buffer; a reader
/// that falls more than its capacity behind is cut off (<see cref="SlowReaderException"/>) rather than buffered
/// without bound. The subscription is made for the first reader and removed with the last.
/// </summary>
internal sealed partial class StreamSubscriptions(IClusterClient client, ILogger<StreamSubscriptions> logger) : IDisposable
{
    // Subscribing and unsubscribing are grain calls: one at a time, so a stream never gets two subscriptions.
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<StreamId, Fanout> _fanouts = [];

    /// <summary>Orleans subscriptions this web client holds right now (one per followed stream).</summary>
    public int Subscriptions
    {
        get
        {
            lock (_fanouts)
            {
                return _fanouts.Count;
            }
        }
    }

    public void Dispose() => _gate.Dispose();

    public async IAsyncEnumerable<T> ReadAsync<T>(StreamId stream, int capacity, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var subscription = await SubscribeAsync<T>(stream, capacity);
        await foreach (var item in subscription.Items.ReadAllAsync(cancellationToken))
        {
            yield return item;
        }
    }

    /// <summary>
    /// Joins <paramref name="stream"/>: every item published after this completes is kept (up to
    /// <paramref name="capacity"/>) until it is read. Disposing the subscription leaves.
    /// </summary>
    public async Task<StreamSubscription<T>> SubscribeAsync<T>(StreamId stream, int capacity)
    {
        var reader = new FanoutReader(Channel.CreateBounded<object>(new BoundedChannelOptions(capacity) { SingleReader = true }), capacity);
        await _gate.WaitAsync();
        try
        {
            if (!TryGet(stream, out var fanout))
            {
                fanout = new Fanout(this, stream);
                fanout.Unsubscribe = await Subscribe<T>(fanout);
                lock (_fanouts)
                {
                    _fanouts[stream] = fanout;
                }
            }
            fanout.Add(reader);
            return new StreamSubscription<T>(reader, () => LeaveAsync(fanout, reader), () => RenewAsync<T>(fanout));
        }
        finally
        {
            _gate.Release();
        }
    }

    private bool TryGet(StreamId stream, out Fanout fanout)
    {
        lock (_fanouts)
        {
            return _fanouts.TryGetValue(stream, out fanout!);
        }
    }

    /// <summary>Subscribes <paramref name="fanout"/> to its stream; the way to unsubscribe.</summary>
    private async Task<Func<Task>> Subscribe<T>(Fanout fanout)
    {
        var handle = await client.GetStreamProvider(ProviderNames.Streams).GetStream<T>(fanout.Stream).SubscribeAsync(
            (item, _) => fanout.PublishAsync(item!),
            error => fanout.FailAsync(error),
            () => fanout.CompleteAsync());
        return handle.UnsubscribeAsync;
    }

    private async Task LeaveAsync(Fanout fanout, FanoutReader reader)
    {
        await _gate.WaitAsync();
        try
        {
            if (fanout.Remove(reader) == 0 && Forget(fanout))
            {
                await UnsubscribeAsync(fanout.Unsubscribe);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Replaces the stream's Orleans subscription with a new one, for a reader that found the live stream missing
    /// items (its pub-sub state died with a silo). At most once per <paramref name="fanout"/> at a time.
    /// </summary>
    private async Task RenewAsync<T>(Fanout fanout)
    {
        await _gate.WaitAsync();
        try
        {
            if (!TryGet(fanout.Stream, out var current) || current != fanout)
            {
                return;
            }
            var stale = fanout.Unsubscribe;
            fanout.Unsubscribe = await Subscribe<T>(fanout);
            LogRenewed(logger, fanout.Stream);
            await UnsubscribeAsync(stale);
        }
        finally
        {
            _gate.Release();
        }
    }

    private bool Forget(Fanout fanout)
    {
        lock (_fanouts)
        {
            return _fanouts.TryGetValue(fanout.Stream, out var current) && current == fanout && _fanouts.Remove(fanout.Stream);
        }
    }

    private async Task UnsubscribeAsync(Func<Task>? unsubscribe)
    {
        try
        {
            if (unsubscribe is not null)
            {
                await unsubscribe();
            }
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            // The subscription may have died with a silo; nothing is left to remove then.
            LogUnsubscribeFailed(logger, error);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewed this web client's subscription to {Stream}: it had missed items.")]
    private static partial void LogRenewed(ILogger logger, StreamId stream);

    [LoggerMessage(Level = LogLevel.Information, Message = "A stale stream subscription could not be removed.")]
    private static partial void LogUnsubscribeFailed(ILogger logger, Exception error);

    /// <summary>One stream's Orleans subscription and the readers it feeds.</summary>
    private sealed class Fanout(StreamSubscriptions owner, StreamId stream)
    {
        private readonly Lock _lock = new();
        private FanoutReader[] _readers = [];

        public StreamId Stream { get; } = stream;

        /// <summary>Ends the current Orleans subscription.</summary>
        public Func<Task>? Unsubscribe { get; set; }

        public void Add(FanoutReader reader)
        {
            lock (_lock)
            {
                _readers = [.. _readers, reader];
            }
        }

        /// <summary>Removes <paramref name="reader"/>; the readers left.</summary>
        public int Remove(FanoutReader reader)
        {
            lock (_lock)
            {
                _readers = [.. _readers.Where(r => r != reader)];
                return _readers.Length;
            }
        }

        public Task PublishAsync(object item)
        {
            foreach (var reader in Volatile.Read(ref _readers))
            {
                if (!reader.Items.Writer.TryWrite(item))
                {
                    reader.Items.Writer.TryComplete(new SlowReaderException(reader.Capacity));
                }
            }
            return Task.CompletedTask;
        }

        /// <summary>The stream failed or ended: every reader ends with it, and the next reader subscribes anew.</summary>
        public Task FailAsync(Exception error) => EndAsync(error);

        public Task CompleteAsync() => EndAsync(null);

        private Task EndAsync(Exception? error)
        {
            owner.Forget(this);
            foreach (var reader in Volatile.Read(ref _readers))
            {
                reader.Items.Writer.TryComplete(error);
            }
            return Task.CompletedTask;
        }
    }
}

/// <summary>One reader's bounded buffer in a fan-out.</summary>
internal sealed record FanoutReader(Channel<object> Items, int Capacity);

/// <summary>A reader of a stream whose items wait in its bounded buffer; disposing it leaves the stream (once).</summary>
internal sealed class StreamSubscription<T> : IAsyncDisposable
{
    private readonly Func<Task> _leave;
    private readonly Func<Task> _renew;
    private int _disposed;

    internal StreamSubscription(FanoutReader reader, Func<Task> leave, Func<Task> renew)
    {
        Items = new CastingReader(reader.Items.Reader);
        (_leave, _renew) = (leave, renew);
    }

    /// <summary>The items in arrival order; completes when the stream completes, fails, or the reader fell behind (<see cref="SlowReaderException"/>).</summary>
    public ChannelReader<T> Items { get; }

    /// <summary>The live stream missed items: this web client subscribes anew (for every reader of the stream).</summary>
    public Task RenewAsync() => _renew();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _leave();
        }
    }

    /// <summary>The fan-out's untyped buffer read as <typeparamref name="T"/> (one stream carries one item type).</summary>
    private sealed class CastingReader(ChannelReader<object> inner) : ChannelReader<T>
    {
        public override Task Completion => inner.Completion;

        public override bool TryRead(out T item)
        {
            var read = inner.TryRead(out var value);
            item = read ? (T)value! : default!;
            return read;
        }

        public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) => inner.WaitToReadAsync(cancellationToken);
    }
}

/// <summary>The reader of a push channel fell too far behind its stream and was cut off.</summary>
internal sealed class SlowReaderException(int capacity) : Exception($"The reader fell more than {capacity} items behind and was disconnected.");
