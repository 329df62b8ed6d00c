using System.Globalization;
using System.Runtime.CompilerServices;
using Newsstand.Grains;
using Newsstand.Messaging;

namespace Newsstand.Api.Streaming;

/// <summary>
/// The events of <c>GET /ch08/messenger/sse/add</c>: one per consumed messenger, each once, in log order per
/// partition. A reader subscribes to the live feed first, then catches up from the log (from its
/// <c>Last-Event-ID</c>, or nothing when it starts at the live end), then follows the live feed, skipping
/// what the catch-up already gave and filling from the log any hole the live feed left. Live batches
/// come once from the consumers for all readers; only catch-up reads the database per reader.
/// </summary>
internal sealed class MessengerFeed(IGrainFactory grains, StreamSubscriptions subscriptions)
{
    /// <summary>Live batches a reader may fall behind before it is cut off (it can resume with its Last-Event-ID).</summary>
    public const int LiveCapacity = 1024;
    public const int RetryMilliseconds = 15_000;
    private const int PageSize = 256;

    /// <summary>Raised after a reader has unsubscribed (its client left or its answer ended).</summary>
    public event Action? ReaderClosed;

    /// <summary>Subscribes and reads where the reader starts; a cluster that cannot answer fails here, before any answer is sent.</summary>
    public async Task<Reader> OpenAsync(FeedPosition? from)
    {
        var live = await subscriptions.SubscribeAsync<ConsumedBatch>(StreamId.Create(ProviderNames.ConsumedMessages, Topics.News), LiveCapacity);
        try
        {
            var progress = await grains.MessengerTopic().GetProgressAsync();
            var start = from?.Resize(progress.Length).AtMost([.. progress.Select(p => p.LastSequence)])
                ?? new FeedPosition([.. progress.Select(p => p.Checkpoint)]);
            return new Reader(grains.MessengerTopic(), live, start, [.. progress.Select(p => p.Checkpoint)], () => ReaderClosed?.Invoke());
        }
        catch
        {
            await live.DisposeAsync();
            throw;
        }
    }

    public static ServerSentEvent ToEvent(ConsumedMessage message, FeedPosition position) => new(
        position.ToString(),
        string.Create(CultureInfo.InvariantCulture,
            $"Added messenger status: {(message.Applied ? "true" : "false")}, Received: {message.ReceivedAt.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'}"),
        message.Json,
        RetryMilliseconds);

    /// <summary>One reader's subscription and position; disposing it unsubscribes.</summary>
    internal sealed class Reader(IMessengerTopicGrain topic, StreamSubscription<ConsumedBatch> live, FeedPosition start, long[] consumed, Action closed)
        : IAsyncDisposable
    {
        public async IAsyncEnumerable<ServerSentEvent> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var position = start;
            for (var partition = 0; partition < position.Count; partition++)
            {
                await foreach (var message in FromLogAsync(partition, position[partition], consumed[partition], cancellationToken))
                {
                    position = position.With(partition, message.Sequence);
                    yield return ToEvent(message, position);
                }
            }
            await foreach (var batch in live.ReadAllAsync(cancellationToken))
            {
                var partition = batch.Partition;
                if (partition >= position.Count)
                {
                    continue;
                }
                foreach (var message in batch.Messages)
                {
                    if (message.Sequence <= position[partition])
                    {
                        continue;
                    }
                    if (message.Sequence > position[partition] + 1)
                    {
                        await foreach (var missed in FromLogAsync(partition, position[partition], message.Sequence - 1, cancellationToken))
                        {
                            position = position.With(partition, missed.Sequence);
                            yield return ToEvent(missed, position);
                        }
                    }
                    position = position.With(partition, message.Sequence);
                    yield return ToEvent(message, position);
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await live.DisposeAsync();
            closed();
        }

        /// <summary>Consumed messages of <paramref name="partition"/> in (<paramref name="after"/>, <paramref name="upTo"/>], read from the log page by page.</summary>
        private async IAsyncEnumerable<ConsumedMessage> FromLogAsync(int partition, long after, long upTo, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            while (after < upTo)
            {
                var page = await topic.ReadConsumedAsync(partition, after, PageSize).WaitAsync(cancellationToken);
                foreach (var message in page)
                {
                    if (message.Sequence > upTo)
                    {
                        yield break;
                    }
                    yield return message;
                    after = message.Sequence;
                }
                if (page.Length == 0)
                {
                    // The consumer's checkpoint is below the bound: nothing more is consumed yet.
                    yield break;
                }
            }
        }
    }
}
