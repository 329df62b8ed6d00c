using System.Diagnostics;
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Newsstand.Client.Hosting;

/// <summary>
/// The edge limit for heavy routes: a concurrency limiter without a queue, and a Retry-After equal to
/// how long a heavy request currently takes (the time until a slot is likely free).
/// </summary>
internal sealed class HeavyRequestAdmission
{
    public const string Policy = "heavy";

    // Mean duration of admitted heavy requests, in seconds; written from many requests, read on rejection.
    private double _meanSeconds = 1;

    public int RetryAfterSeconds => (int)Math.Clamp(Math.Ceiling(Volatile.Read(ref _meanSeconds)), 1, 60);

    public static void AddTo(WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<HeavyRequestOptions>().BindConfiguration(HeavyRequestOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<HeavyRequestAdmission>();
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status503ServiceUnavailable;
            limiter.AddPolicy(Policy, context =>
            {
                var max = context.RequestServices.GetRequiredService<IOptions<HeavyRequestOptions>>().Value.MaxInFlight;
                return RateLimitPartition.GetConcurrencyLimiter(Policy, _ => new ConcurrencyLimiterOptions { PermitLimit = max, QueueLimit = 0 });
            });
            limiter.OnRejected = RejectAsync;
        });
    }

    /// <summary>Times admitted heavy requests, so Retry-After follows what the lane really needs.</summary>
    public async ValueTask<object?> TimeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await next(context);
        }
        finally
        {
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            Volatile.Write(ref _meanSeconds, (0.9 * Volatile.Read(ref _meanSeconds)) + (0.1 * seconds));
        }
    }

    private static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var pause = context.RequestServices.GetRequiredService<IOptions<HeavyRequestOptions>>().Value.ShedPause;
        var retryAfter = context.RequestServices.GetRequiredService<HeavyRequestAdmission>().RetryAfterSeconds;
        context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new()
        {
            HttpContext = context,
            ProblemDetails = { Status = StatusCodes.Status503ServiceUnavailable, Detail = $"Too many password operations in flight; retry after {retryAfter} s." },
        });
        if (pause > TimeSpan.Zero)
        {
            // The answer is complete and sent; only this connection's next request waits (a timer, no thread).
            await context.Response.CompleteAsync();
            try
            {
                await Task.Delay(pause, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The client left; there is no next request to hold back.
            }
        }
    }
}
