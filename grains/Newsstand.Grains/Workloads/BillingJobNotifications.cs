using Microsoft.Extensions.Logging;
using Newsstand.Data;
using Orleans.Streams;

namespace Newsstand.Workloads;

/// <summary>
/// Tells whoever watches the notifications feed (topic <c>jobs</c>) about a billing job's state: <c>job.&lt;status&gt;</c>
/// with the job's status as data. Notifications are for whoever watches now; the job's state is in the database
/// either way, so a notification that cannot be sent is logged and dropped.
/// </summary>
internal sealed partial class BillingJobNotifications(IAsyncStream<Notification> stream, ILogger logger)
{
    public async Task PublishAsync(BillingJobEntity job, DateTimeOffset now)
    {
        try
        {
            await stream.OnNextAsync(NotificationStreams.Create(Guid.NewGuid().ToString("N"), $"job.{job.Status}", job.View, now));
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            LogNotPublished(logger, job.Id, error.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Billing job {JobId} could not publish its status ({Error}).")]
    private static partial void LogNotPublished(ILogger logger, string jobId, string error);
}
