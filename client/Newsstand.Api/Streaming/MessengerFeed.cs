using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Newsstand.Api.Hosting;
using Newsstand.Grains;
using Newsstand.Messaging;

namespace Newsstand.Api.Streaming;

/// <summary>
/// The events of <c>GET /ch08/messenger/sse/add</c>: one per consumed messenger, each once, in log order per
/// partition. A reader joins the live feed first, then catches up from the log (from its <c>Last-Event-ID</c>,
/// or nothing when it starts at the live end), then follows the live feed, skipping what the catch-up already
/// gave and filling from the log any hole the live feed left. Live batches come once per web client for all its
/// readers (<see cref="StreamSubscriptions"/>); only catch-up reads the database per reader, a few readers at a
/// time (<see cref="LongLivedOptions.CatchUpConcurrency"/>). A live feed that stays silent while the log moves on
/// (its subscription died with a silo) cannot stay silent: every <see cref="LongLivedOptions.FeedCheckInterval"/>
/// the reader compares its position with the consumers' checkpoints, fills from the log what the live feed has
/// missed for a whole interval, and renews the web client's subscription. The consumers publish to the live feed only
/// while readers say they listen: opening and every check ask for the progress through the topic's
/// <c>ListenAsync</c>, which renews a lease at each consumer (<see cref="Lease"/>).
/// </summary>
internal sealed class MessengerFeed(IGrainFactory grains, StreamSubscriptions subscriptions, IOptions<LongLivedOptions> options, TimeProvider time)
    : IDisposable
{
    /// <summary>Live batches a reader may fall behind before it is cut off (it can resume with its Last-Event-ID).</summary>
    public const int LiveCapacity = 1024;
    public const int RetryMilliseconds = 15_000;
    private const int PageSize = 256;

    private readonly LongLivedOptions _options = options.Value;
    private readonly TimeProvider _time = time;
    private readonly SemaphoreSlim _catchUps = new(options.Value.CatchUpConcurrency);
    private readonly Lock _progressLock = new();
    private (long At, Task<PartitionProgress[]> Call)? _progress;

    public void Dispose() => _catchUps.Dispose();

    /// <summary>Raised after a reader has unsubscribed (its client left or its answer ended).</summary>
    public event Action? ReaderClosed;

    /// <summary>Subscribes and reads where the reader starts; a cluster that cannot answer fails here, before any answer is sent.</summary>
    public async Task<Reader> OpenAsync(FeedPosition? from, MessengerEventNames names = MessengerEventNames.Standard)
    {
        var live = await subscriptions.SubscribeAsync<ConsumedBatch>(StreamId.Create(ProviderNames.ConsumedMessages, Topics.News), LiveCapacity);
        try
        {
            var progress = await grains.MessengerTopic().ListenAsync(Lease);
            var start = from?.Resize(progress.Length).AtMost([.. progress.Select(p => p.LastSequence)])
                ?? new FeedPosition([.. progress.Select(p => p.Checkpoint)]);
            return new Reader(this, live, start, [.. progress.Select(p => p.Checkpoint)], names);
        }
        catch
        {
            await live.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// How long the consumers publish to the live feed after this web client said it listens: three check intervals,
    /// so one check the cluster could not answer does not silence the feed (each check renews it).
    /// </summary>
    private TimeSpan Lease => _options.FeedCheckInterval * 3;

    /// <summary>The consumers' progress, asked of the topic at most twice an interval for all readers of this web client;
    /// the asking renews the consumers' publishing to the live feed (<see cref="Lease"/>).</summary>
    private Task<PartitionProgress[]> ProgressAsync()
    {
        var now = _time.GetTimestamp();
        lock (_progressLock)
        {
            if (_progress is { } recent && _time.GetElapsedTime(recent.At, now) < _options.FeedCheckInterval / 2 && !recent.Call.IsFaulted)
            {
                return recent.Call;
            }
            var call = grains.MessengerTopic().ListenAsync(Lease);
            _progress = (now, call);
            return call;
        }
    }

    /// <summary>The consumers' progress, or null when the cluster cannot answer right now.</summary>
    private async Task<PartitionProgress[]?> TryProgressAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await ProgressAsync().WaitAsync(cancellationToken);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>One page of consumed messages from the log, read by at most <see cref="LongLivedOptions.CatchUpConcurrency"/> readers at once.</summary>
    private async Task<ConsumedMessage[]> ReadPageAsync(int partition, long after, CancellationToken cancellationToken)
    {
        await _catchUps.WaitAsync(cancellationToken);
        try
        {
            return await grains.MessengerTopic().ReadConsumedAsync(partition, after, PageSize).WaitAsync(cancellationToken);
        }
        finally
        {
            _catchUps.Release();
        }
    }

    /// <summary>One reader's subscription and position; disposing it unsubscribes.</summary>
    internal sealed class Reader(MessengerFeed feed, StreamSubscription<ConsumedBatch> live, FeedPosition start, long[] consumed, MessengerEventNames names)
        : IAsyncDisposable
    {
        private FeedPosition _position = start;

        public async IAsyncEnumerable<ServerSentEvent> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            for (var partition = 0; partition < _position.Count; partition++)
            {
                await foreach (var message in FromLogAsync(partition, consumed[partition], cancellationToken))
                {
                    yield return message;
                }
            }
            // Checkpoints seen at the previous check: what the live feed should have brought by the next one.
            long[]? expected = null;
            var interval = feed._options.FeedCheckInterval;
            var checkedAt = feed._time.GetTimestamp();
            var heardLive = false;
            while (true)
            {
                var wait = interval - feed._time.GetElapsedTime(checkedAt);
                if (wait > TimeSpan.Zero && await WaitForLiveAsync(live.Items, wait, cancellationToken) is null)
                {
                    yield break;
                }
                while (live.Items.TryRead(out var batch))
                {
                    heardLive = true;
                    await foreach (var message in FromLiveAsync(batch, cancellationToken))
                    {
                        yield return message;
                    }
                }
                if (feed._time.GetElapsedTime(checkedAt) < interval)
                {
                    continue;
                }
                checkedAt = feed._time.GetTimestamp();
                if (await feed.TryProgressAsync(cancellationToken) is not { } progress)
                {
                    // The cluster could not say (a silo is dying): compare at the next check.
                    continue;
                }
                var missed = false;
                for (var partition = 0; partition < Math.Min(_position.Count, progress.Length); partition++)
                {
                    // Consumed an interval ago and still not delivered live: the live feed missed it.
                    if (expected is not null && partition < expected.Length && _position[partition] < expected[partition])
                    {
                        missed = true;
                        await foreach (var message in FromLogAsync(partition, expected[partition], cancellationToken))
                        {
                            yield return message;
                        }
                    }
                }
                expected = [.. progress.Select(p => p.Checkpoint)];
                if (missed && !heardLive)
                {
                    // The renewal is the web client's, for all its readers: it goes on when this reader stops waiting for it,
                    // so a feed whose client left or whose token expired ends now, not after a grain call.
                    await live.RenewAsync().WaitAsync(cancellationToken);
                }
                heardLive = false;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await live.DisposeAsync();
            feed.ReaderClosed?.Invoke();
        }

        /// <summary>True when a batch can be read, false when <paramref name="wait"/> passed first, null when the live feed ended.</summary>
        private async Task<bool?> WaitForLiveAsync(ChannelReader<ConsumedBatch> items, TimeSpan wait, CancellationToken cancellationToken)
        {
            using var timeout = new CancellationTokenSource(wait, feed._time);
            using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            try
            {
                return await items.WaitToReadAsync(either.Token) ? true : null;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return false;
            }
        }

        /// <summary>A live batch's messages this reader has not seen, with any hole before them filled from the log.</summary>
        private async IAsyncEnumerable<ServerSentEvent> FromLiveAsync(ConsumedBatch batch, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var partition = batch.Partition;
            if (partition >= _position.Count)
            {
                yield break;
            }
            foreach (var message in batch.Messages)
            {
                if (message.Sequence <= _position[partition])
                {
                    continue;
                }
                if (message.Sequence > _position[partition] + 1)
                {
                    await foreach (var missed in FromLogAsync(partition, message.Sequence - 1, cancellationToken))
                    {
                        yield return missed;
                    }
                }
                _position = _position.With(partition, message.Sequence);
                yield return MessengerEvents.From(message, _position, names);
            }
        }

        /// <summary>Consumed messages of <paramref name="partition"/> after this reader's position up to <paramref name="upTo"/>, from the log page by page.</summary>
        private async IAsyncEnumerable<ServerSentEvent> FromLogAsync(int partition, long upTo, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            while (_position[partition] < upTo)
            {
                var page = await feed.ReadPageAsync(partition, _position[partition], cancellationToken);
                foreach (var message in page)
                {
                    if (message.Sequence > upTo)
                    {
                        yield break;
                    }
                    _position = _position.With(partition, message.Sequence);
                    yield return MessengerEvents.From(message, _position, names);
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
