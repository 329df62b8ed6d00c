using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace Newsstand.Messaging;

/// <summary>
/// Publishes what a partition's consumer consumed to the live feed (<see cref="ProviderNames.ConsumedMessages"/>),
/// in batches of at most <see cref="PublishEvery"/>, while a reader listens: readers say so when they open and at each
/// of their checks (<see cref="Listen"/>, a lease), and a batch consumed while no lease runs is not published at all
/// (its grain call, copy and delivery by the stream's agent cost about as much as the batch's own commit). Nothing is
/// lost by that: a reader subscribes and takes its lease before it catches up from the log up to the checkpoint the
/// lease call answered, so every batch after that point is published; a lease that lapses (a reactivated consumer, a
/// failed check) leaves the live feed silent, and the reader fills the silence from the log at its next check, as it
/// does for any event the live feed missed. A failed publish is logged and dropped for the same reason.
/// </summary>
internal sealed partial class ConsumedFeed(IAsyncStream<ConsumedBatch> stream, int partition, TimeProvider time, ILogger logger)
{
    public const int PublishEvery = 64;

    private long _listenedUntil = long.MinValue;

    /// <summary>A reader listens for at least <paramref name="lease"/> from now (a shorter lease never cuts a longer one).</summary>
    public void Listen(TimeSpan lease) =>
        _listenedUntil = Math.Max(_listenedUntil, time.GetTimestamp() + (long)(lease.TotalSeconds * time.TimestampFrequency));

    /// <summary>Whether a reader's lease runs now.</summary>
    public bool Listened => time.GetTimestamp() < _listenedUntil;

    public async Task PublishAsync(IReadOnlyList<ConsumedMessage> consumed)
    {
        if (!Listened)
        {
            return;
        }
        for (var from = 0; from < consumed.Count; from += PublishEvery)
        {
            try
            {
                await stream.OnNextAsync(new ConsumedBatch(partition, [.. consumed.Skip(from).Take(PublishEvery)]));
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                LogPublishFailed(partition, error.GetType().Name);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The consumer of newstopic partition {Partition} could not publish to the live feed ({Error}).")]
    private partial void LogPublishFailed(int partition, string error);
}
