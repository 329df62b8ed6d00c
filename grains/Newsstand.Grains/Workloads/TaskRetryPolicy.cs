using System.Data.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Newsstand.Errors;
using Polly;
using Polly.Retry;

namespace Newsstand.Workloads;

/// <summary>
/// The retry policy of distributed tasks (Polly): up to <see cref="PayableTotalOptions.MaxTries"/> tries,
/// exponential backoff with jitter timed by the grains' clock, transient faults only. Continuations stay on
/// the calling grain's scheduler, so the retried work runs as that grain's turns.
/// </summary>
internal sealed partial class TaskRetryPolicy
{
    private const int DefaultRetryAfterSeconds = 5;

    private readonly ResiliencePipeline _pipeline;
    private readonly ILogger _logger;

    public TaskRetryPolicy(IOptions<PayableTotalOptions> options, [FromKeyedServices(TimeProviderNames.Grains)] TimeProvider time, ILogger<TaskRetryPolicy> logger)
    {
        _logger = logger;
        var settings = options.Value;
        MaxTries = settings.MaxTries;
        var builder = new ResiliencePipelineBuilder { TimeProvider = time };
        if (settings.MaxTries > 1)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = settings.MaxTries - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = settings.RetryDelay,
                MaxDelay = settings.MaxRetryDelay,
                ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransient),
                OnRetry = retry =>
                {
                    // AttemptNumber counts from 0 for the first retry, which is the second try.
                    LogRetry(retry.AttemptNumber + 2, retry.Outcome.Exception?.GetType().Name ?? "none", retry.RetryDelay.TotalMilliseconds);
                    return default;
                },
            });
        }
        _pipeline = builder.Build();
    }

    public int MaxTries { get; }

    /// <summary>Faults that another try may not meet: the database or a queue briefly unable to answer.</summary>
    public static bool IsTransient(Exception error) =>
        error is StorageUnavailableException or OverloadedException or TimeoutException or DbException { IsTransient: true };

    /// <summary>Runs <paramref name="work"/> under the policy. Throws <see cref="TaskRetriesExhaustedException"/> when the last
    /// try met a transient fault and <see cref="TaskFailedException"/> at once for any other fault.</summary>
    public async Task<T> ExecuteAsync<T>(string task, Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken = default)
    {
        var context = ResilienceContextPool.Shared.Get(continueOnCapturedContext: true, cancellationToken);
        var tries = 0;
        try
        {
            return await _pipeline.ExecuteAsync(
                async (ctx, state) =>
                {
                    tries++;
                    return await state(ctx.CancellationToken);
                },
                context,
                work);
        }
        catch (Exception error) when (IsTransient(error))
        {
            throw new TaskRetriesExhaustedException(task, tries, RetryAfterSeconds(error));
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            LogPermanent(task, tries, error.GetType().Name);
            throw new TaskFailedException(task, tries, error.GetType().Name);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private static int RetryAfterSeconds(Exception error) => error switch
    {
        StorageUnavailableException e => e.RetryAfterSeconds,
        OverloadedException e => e.RetryAfterSeconds,
        _ => DefaultRetryAfterSeconds,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task try failed with a transient fault ({Error}); try {Next} follows in {DelayMs} ms.")]
    private partial void LogRetry(int next, string error, double delayMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "The {Task} task met a permanent fault ({Error}) on try {Tries}; not retried.")]
    private partial void LogPermanent(string task, int tries, string error);
}
