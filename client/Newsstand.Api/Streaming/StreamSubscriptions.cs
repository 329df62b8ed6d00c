using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Orleans.Streams;

namespace Newsstand.Api.Streaming;

/// <summary>
/// An Orleans stream as an async sequence for one push channel (an SSE or WebSocket client): subscribes
/// when enumeration starts, unsubscribes when it ends, however it ends. A reader that falls more than
/// <c>capacity</c> items behind is cut off (<see cref="SlowReaderException"/>) rather than buffered without bound.
/// A feed that must know when its subscription is in place (to catch up from a log without a gap) uses
/// <see cref="SubscribeAsync{T}"/> instead.
/// </summary>
internal sealed class StreamSubscriptions(IClusterClient client)
{
    public async IAsyncEnumerable<T> ReadAsync<T>(StreamId stream, int capacity, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var subscription = await SubscribeAsync<T>(stream, capacity);
        await foreach (var item in subscription.ReadAllAsync(cancellationToken))
        {
            yield return item;
        }
    }

    /// <summary>Subscribes now: every item published after this completes is kept (up to <paramref name="capacity"/>)
    /// until it is read. Disposing the subscription unsubscribes.</summary>
    public async Task<StreamSubscription<T>> SubscribeAsync<T>(StreamId stream, int capacity)
    {
        var items = Channel.CreateBounded<T>(new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true });
        var handle = await client.GetStreamProvider(ProviderNames.Streams).GetStream<T>(stream).SubscribeAsync(
            (item, _) =>
            {
                if (!items.Writer.TryWrite(item))
                {
                    items.Writer.TryComplete(new SlowReaderException(capacity));
                }
                return Task.CompletedTask;
            },
            error =>
            {
                items.Writer.TryComplete(error);
                return Task.CompletedTask;
            },
            () =>
            {
                items.Writer.TryComplete();
                return Task.CompletedTask;
            });
        return new StreamSubscription<T>(items.Reader, handle);
    }
}

/// <summary>A subscription to an Orleans stream whose items wait in a bounded buffer; disposing it unsubscribes (once).</summary>
internal sealed class StreamSubscription<T>(ChannelReader<T> items, StreamSubscriptionHandle<T> handle) : IAsyncDisposable
{
    private int _disposed;

    /// <summary>The items in arrival order; ends when the stream completes, fails, or the reader fell behind (<see cref="SlowReaderException"/>).</summary>
    public IAsyncEnumerable<T> ReadAllAsync(CancellationToken cancellationToken) => items.ReadAllAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await handle.UnsubscribeAsync();
        }
    }
}

/// <summary>The reader of a push channel fell too far behind its stream and was cut off.</summary>
internal sealed class SlowReaderException(int capacity) : Exception($"The reader fell more than {capacity} items behind and was disconnected.");
