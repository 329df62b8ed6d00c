using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;
using Newsstand.Grains;
using Newsstand.Idempotency;

namespace Newsstand.Api.Idempotency;

/// <summary>
/// <c>Idempotency-Key</c> on every POST and PATCH route. The first request with a key runs while its key's grain holds the
/// key, and its answer (status, Content-Type, Location, body) is stored durably before the response ends; a repeat of the
/// same request (<see cref="RequestFingerprint"/>) gets that answer again, marked <c>Idempotent-Replayed: true</c>, with no
/// second effect. The same key with another request → 422; a repeat while the first runs → 409 with Retry-After; a
/// malformed key → 400. Answers that say "try again" are not stored, so the key stays retryable: 5xx (an unknown commit
/// outcome among them), 429, a cancelled request, anything with Retry-After, and a body over the stored size.
/// Runs outside the exception handler, so it sees (and stores) the problem answers domain errors become.
/// </summary>
internal sealed partial class IdempotencyMiddleware(RequestDelegate next, IGrainFactory grains, IProblemDetailsService problems, ILogger<IdempotencyMiddleware> logger)
{
    public const string ReplayedHeader = "Idempotent-Replayed";
    private const int InProgressRetryAfterSeconds = 1;

    /// <summary>Whether a request is one a key applies to: a POST or PATCH with an <c>Idempotency-Key</c> header.</summary>
    public static bool Applies(HttpContext context)
    {
        var request = context.Request;
        return (HttpMethods.IsPost(request.Method) || HttpMethods.IsPatch(request.Method)) && request.Headers.ContainsKey(IdempotencyKeyHeader.Name);
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!Applies(context) || context.GetEndpoint() is null)
        {
            await next(context);
            return;
        }
        if (!IdempotencyKeyHeader.TryRead(request, out var key) || key is null)
        {
            await ProblemAsync(context, StatusCodes.Status400BadRequest, IdempotencyKeyHeader.Rule);
            return;
        }
        string fingerprint;
        try
        {
            fingerprint = await RequestFingerprint.OfAsync(request, context.RequestAborted);
        }
        catch (BadHttpRequestException tooLarge)
        {
            // The body broke Kestrel's limit while it was read: the answer every route gives such a body.
            await problems.WriteAsync(new() { HttpContext = context, ProblemDetails = new ProblemDetails { Status = tooLarge.StatusCode } });
            return;
        }
        var scope = CallerScope.Of(context);
        var grain = grains.IdempotencyKey(scope, key);
        var start = await grain.BeginAsync(fingerprint);
        switch (start.Verdict)
        {
            case IdempotencyVerdict.Replay:
                await ReplayAsync(context, start.Answer!);
                return;
            case IdempotencyVerdict.Mismatch:
                await ProblemAsync(context, StatusCodes.Status422UnprocessableEntity,
                    "This Idempotency-Key was used for a different request (method, path, query or body); use a new key for a new request.");
                return;
            case IdempotencyVerdict.InProgress:
                context.Response.Headers.RetryAfter = InProgressRetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                await ProblemAsync(context, StatusCodes.Status409Conflict, "A request with this Idempotency-Key is still running; retry after it has answered.");
                return;
        }
        var feature = new IdempotencyFeature(scope, key, fingerprint);
        await RunAndStoreAsync(context, grain, feature);
    }

    private async Task RunAndStoreAsync(HttpContext context, IIdempotencyKeyGrain grain, IdempotencyFeature feature)
    {
        var response = context.Response;
        var original = response.Body;
        var capture = new AnswerCapture(original);
        context.Features.Set(feature);
        response.Body = capture;
        var stored = false;
        try
        {
            await next(context);
            if (Storable(context, capture))
            {
                await grain.CompleteAsync(feature.Answer(response.StatusCode, response.ContentType, response.Headers.Location.ToString() is { Length: > 0 } location ? location : null,
                    capture.Body), feature.StoredWithEffect);
                stored = true;
            }
        }
        finally
        {
            response.Body = original;
            context.Features.Set<IdempotencyFeature>(null);
            if (!stored)
            {
                await AbandonAsync(grain, feature.Fingerprint);
            }
        }
    }

    private static bool Storable(HttpContext context, AnswerCapture capture)
    {
        var status = context.Response.StatusCode;
        return status < 500 && status is not (StatusCodes.Status429TooManyRequests or StatusCodes.Status499ClientClosedRequest)
            && !context.RequestAborted.IsCancellationRequested
            && !context.Response.Headers.ContainsKey(HeaderNames.RetryAfter)
            && !capture.Overflowed;
    }

    private async Task AbandonAsync(IIdempotencyKeyGrain grain, string fingerprint)
    {
        try
        {
            await grain.AbandonAsync(fingerprint);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            // The hold runs out by itself (IdempotencyKeyGrain.HoldLimit); until then a retry answers 409 with Retry-After.
            LogAbandonFailed(error.GetType().Name);
        }
    }

    private static async Task ReplayAsync(HttpContext context, IdempotencyRecord answer)
    {
        var response = context.Response;
        response.StatusCode = answer.Status;
        response.Headers[ReplayedHeader] = "true";
        if (answer.ContentType is { } contentType)
        {
            response.ContentType = contentType;
        }
        if (answer.Location is { } location)
        {
            response.Headers.Location = location;
        }
        response.ContentLength = answer.Body.Length;
        await response.Body.WriteAsync(answer.Body, context.RequestAborted);
    }

    private Task ProblemAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        var problem = new ValidationProblemDetails(new Dictionary<string, string[]> { [IdempotencyKeyHeader.Name] = [message] })
        {
            Status = status,
            Title = status == StatusCodes.Status400BadRequest ? "One or more fields are invalid." : "The Idempotency-Key cannot be used for this request now.",
        };
        return problems.WriteAsync(new() { HttpContext = context, ProblemDetails = problem }).AsTask();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "An idempotency key could not be released ({Error}); its hold runs out by itself.")]
    private partial void LogAbandonFailed(string error);
}
