using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Newsstand.Messaging;

/// <summary>
/// How a consumer survives transient faults (database unavailable, a full write queue, an unreachable
/// grain): it retries the same message after an exponentially growing, jittered wait, without end, so a
/// message is never skipped. Only the consumer's own stop (deactivation) ends the retries.
/// </summary>
internal static partial class ConsumerRetry
{
    public static ResiliencePipeline Create(TopicOptions options, TimeProvider time, ILogger logger, Action onRetry) =>
        new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(error => error is not OperationCanceledException),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.RetryMaxDelay,
                OnRetry = retry =>
                {
                    onRetry();
                    LogRetry(logger, retry.AttemptNumber + 1, retry.RetryDelay, retry.Outcome.Exception?.GetType().Name, retry.Outcome.Exception?.Message);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();

    /// <summary>
    /// Runs <paramref name="action"/> through <paramref name="pipeline"/> and keeps every continuation, the waits
    /// between tries included, on the caller's scheduler: a grain's retries must run on its activation.
    /// </summary>
    public static async Task<T> RunOnGrainAsync<T>(this ResiliencePipeline pipeline, Func<Task<T>> action, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(continueOnCapturedContext: true, cancellationToken);
        try
        {
            return await pipeline.ExecuteAsync(static async (_, run) => await run(), context, action);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A topic consumer retries (attempt {Attempt}) in {Delay} after {Error}: {Reason}")]
    private static partial void LogRetry(ILogger logger, int attempt, TimeSpan delay, string? error, string? reason);
}
