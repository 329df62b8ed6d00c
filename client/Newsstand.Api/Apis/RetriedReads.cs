using Microsoft.Extensions.Options;
using Newsstand.Api.Hosting;

namespace Newsstand.Api.Apis;

/// <summary>
/// Grain reads sent again through a silo's death. Orleans fails a call whose gateway connection dropped only
/// when its response timeout runs out, and a call to a grain on a dead silo until membership declares the silo
/// dead; a read is safe to repeat, so an attempt is given up as soon as a gateway connection closes or after an
/// attempt timeout (shorter for a while after such a loss, <see cref="GatewayLosses.AttemptTimeout"/>), and a failure of the
/// cluster is retried (on a fresh connection: the dead gateway's is gone), at once after an attempt that ran out of time,
/// else pausing at most <see cref="LongestPause"/> so that the read is answered soon after membership declares the silo dead and its
/// grain moves, until <see cref="ReadRetryOptions.RetryFor"/> has passed. Errors of the read itself are never retried.
/// </summary>
internal sealed partial class RetriedReads(IOptions<ReadRetryOptions> options, GatewayLosses gateways, TimeProvider time, ILogger<RetriedReads> logger)
{
    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan LongestPause = TimeSpan.FromMilliseconds(200);

    /// <summary><paramref name="read"/>, retried; stops when <paramref name="aborted"/> fires (the caller went away).</summary>
    public Func<TArgument, Task<TResult>> Of<TArgument, TResult>(Func<TArgument, Task<TResult>> read, CancellationToken aborted) =>
        argument => ReadAsync(() => read(argument), aborted);

    /// <summary><paramref name="read"/>, retried; stops when <paramref name="aborted"/> fires (the caller went away).</summary>
    public Func<Task<TResult>> Of<TResult>(Func<Task<TResult>> read, CancellationToken aborted) => () => ReadAsync(read, aborted);

    /// <summary>
    /// <paramref name="attempt"/>, retried; each of its calls is already one attempt, given up like one
    /// (<see cref="GatewayLosses.AttemptAsync"/> inside it: <see cref="WholeListReads"/>, whose whole lists share one
    /// attempt), so it is not wrapped in another. Stops when <paramref name="aborted"/> fires between attempts.
    /// </summary>
    public Func<TArgument, Task<TResult>> OfAttempts<TArgument, TResult>(Func<TArgument, Task<TResult>> attempt, CancellationToken aborted) =>
        argument => ReadAsync(() => attempt(argument), attempts: true, aborted);

    public Task<TResult> ReadAsync<TResult>(Func<Task<TResult>> read, CancellationToken aborted) => ReadAsync(read, attempts: false, aborted);

    private async Task<TResult> ReadAsync<TResult>(Func<Task<TResult>> read, bool attempts, CancellationToken aborted)
    {
        var settings = options.Value;
        var started = time.GetTimestamp();
        var pause = FirstPause;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await (attempts ? read() : gateways.AttemptAsync(read, aborted));
            }
            catch (Exception error) when (IsClusterFailure(error) && time.GetElapsedTime(started) + pause < settings.RetryFor)
            {
                LogRetrying(logger, attempt, error.GetType().Name);
                if (error is TimeoutException && !aborted.IsCancellationRequested)
                {
                    // The attempt has already waited out its time (an answer may be just arriving for the next one).
                    continue;
                }
            }
            await Task.Delay(pause, time, aborted);
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, LongestPause.Ticks));
        }
    }

    /// <summary>The call failed on its way, not in the grain: the gateway or the grain's silo is gone or unreachable, a gateway connection closed, or the attempt ran out.</summary>
    private static bool IsClusterFailure(Exception error) =>
        error is SiloUnavailableException or OrleansMessageRejectionException or Orleans.Runtime.Messaging.ConnectionFailedException or TimeoutException
            or GatewayLostException;

    [LoggerMessage(Level = LogLevel.Warning, Message = "A read failed on its way through the cluster (attempt {Attempt}, {Error}); it is sent again.")]
    private static partial void LogRetrying(ILogger logger, int attempt, string error);
}
