using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace Newsstand.Messaging;

/// <summary>
/// Publishes what a partition's consumer consumed to the live feed (<see cref="ProviderNames.ConsumedMessages"/>),
/// in batches of at most <see cref="PublishEvery"/>. A failed publish is logged and dropped: live readers notice the
/// gap at their next event and fill it from the log.
/// </summary>
internal sealed partial class ConsumedFeed(IAsyncStream<ConsumedBatch> stream, int partition, ILogger logger)
{
    public const int PublishEvery = 64;

    public async Task PublishAsync(IReadOnlyList<ConsumedMessage> consumed)
    {
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
