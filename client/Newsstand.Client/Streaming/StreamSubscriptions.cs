using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Orleans.Streams;

namespace Newsstand.Client.Streaming;

/// <summary>
/// An Orleans stream as an async sequence for one push channel (an SSE or WebSocket client): subscribes
/// when enumeration starts, unsubscribes when it ends, however it ends. A reader that falls more than
/// <c>capacity</c> items behind is cut off (<see cref="SlowReaderException"/>) rather than buffered without bound.
/// </summary>
internal sealed class StreamSubscriptions(IClusterClient client)
{
    public async IAsyncEnumerable<T> ReadAsync<T>(StreamId stream, int capacity, [EnumeratorCancellation] CancellationToken cancellationToken)
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
        try
        {
            await foreach (var item in items.Reader.ReadAllAsync(cancellationToken))
            {
                yield return item;
            }
        }
        finally
        {
            await handle.UnsubscribeAsync();
        }
    }
}

/// <summary>The reader of a push channel fell too far behind its stream and was cut off.</summary>
internal sealed class SlowReaderException(int capacity) : Exception($"The reader fell more than {capacity} items behind and was disconnected.");
