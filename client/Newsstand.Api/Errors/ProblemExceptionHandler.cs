using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Newsstand.Api.Hosting;
using Newsstand.Api.Sockets;
using Newsstand.Errors;

namespace Newsstand.Api.Errors;

/// <summary>
/// The one place where failures become answers: request errors, domain errors from grains and an
/// unreachable cluster each map to an RFC 9457 problem. Nothing of an exception but its message (and
/// for unexpected ones, not even that) reaches the caller.
/// </summary>
internal sealed partial class ProblemExceptionHandler(
    IProblemDetailsService problems, IOptions<HeavyRequestOptions> heavy, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    private const int ClusterRetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var (status, problem, retryAfter) = Map(exception);
        if (status == StatusCodes.Status500InternalServerError)
        {
            LogUnexpected(exception, context.Request.Method, context.Request.Path);
        }
        context.Response.StatusCode = status;
        if (retryAfter is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }
        var written = await problems.TryWriteAsync(new() { HttpContext = context, ProblemDetails = problem, Exception = exception });
        if (written && exception is OverloadedException && heavy.Value.ShedPause > TimeSpan.Zero)
        {
            await PauseConnectionAsync(context, heavy.Value.ShedPause, cancellationToken);
        }
        return written;
    }

    /// <summary>The answer is complete and sent; only this connection's next request waits (a timer, no thread).</summary>
    private static async Task PauseConnectionAsync(HttpContext context, TimeSpan pause, CancellationToken cancellationToken)
    {
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

    private static (int Status, ProblemDetails Problem, int? RetryAfter) Map(Exception exception) => exception switch
    {
        RequestValidationException e => (e.StatusCode, Invalid(e.StatusCode, e.Errors), null),
        BadHttpRequestException e => (e.StatusCode, Detail(e.StatusCode, e.Message), null),
        RecordConflictException e => (StatusCodes.Status409Conflict, Invalid(StatusCodes.Status409Conflict, Field(e.Field, e.Message)), null),
        MissingReferenceException e => (StatusCodes.Status422UnprocessableEntity, Invalid(StatusCodes.Status422UnprocessableEntity,
            e.References.GroupBy(r => r.Field).ToDictionary(g => g.Key, g => g.Select(r => r.Message).ToArray())), null),
        RecordNotFoundException e => (StatusCodes.Status404NotFound, Detail(StatusCodes.Status404NotFound, e.Message), null),
        WorkloadNotFoundException e => (StatusCodes.Status404NotFound, Detail(StatusCodes.Status404NotFound, e.Message), null),
        JobNotReadyException e => (StatusCodes.Status409Conflict, Detail(StatusCodes.Status409Conflict, e.Message), null),
        InvalidTokenException e => (StatusCodes.Status400BadRequest, Invalid(StatusCodes.Status400BadRequest, Field("token", e.Message)), null),
        TaskRetriesExhaustedException e => (StatusCodes.Status503ServiceUnavailable, Detail(StatusCodes.Status503ServiceUnavailable, e.Message), e.RetryAfterSeconds),
        TaskFailedException e => (StatusCodes.Status500InternalServerError, Detail(StatusCodes.Status500InternalServerError, e.Message), null),
        OverloadedException e => (StatusCodes.Status503ServiceUnavailable, Detail(StatusCodes.Status503ServiceUnavailable, e.Message), e.RetryAfterSeconds),
        StorageUnavailableException e => (StatusCodes.Status503ServiceUnavailable, Detail(StatusCodes.Status503ServiceUnavailable, e.Message), e.RetryAfterSeconds),
        CommitOutcomeUnknownException e => (StatusCodes.Status503ServiceUnavailable, Detail(StatusCodes.Status503ServiceUnavailable, e.Message), e.RetryAfterSeconds),
        WriteInProgressException e => (StatusCodes.Status409Conflict, Invalid(StatusCodes.Status409Conflict, Field("id", e.Message)), WriteInProgressException.RetryAfterSeconds),
        StaleWriteException e => (StatusCodes.Status409Conflict, Detail(StatusCodes.Status409Conflict, e.Message), null),
        UpstreamException e => (e.StatusCode, Detail(e.StatusCode, e.Message),
            e.StatusCode == StatusCodes.Status503ServiceUnavailable ? UpstreamException.RetryAfterSeconds : null),
        _ when ClusterUnreachable(exception) =>
            (StatusCodes.Status503ServiceUnavailable, Detail(StatusCodes.Status503ServiceUnavailable, "The cluster is not reachable right now; retry shortly."), ClusterRetryAfterSeconds),
        OperationCanceledException => (StatusCodes.Status499ClientClosedRequest, Detail(StatusCodes.Status499ClientClosedRequest, "The request was cancelled."), null),
        _ => (StatusCodes.Status500InternalServerError, Detail(StatusCodes.Status500InternalServerError, "An unexpected error occurred."), null),
    };

    /// <summary>
    /// The client lost its gateway or the silo a call went to (a silo died, the cluster is starting or stopping), or its
    /// cluster manifest names no silo hosting the grain: the only silo was stopping (a restart) when the manifest was last
    /// refreshed, and Orleans' <c>GetGrain</c> throws an <see cref="ArgumentException"/> until a refresh finds the started one.
    /// </summary>
    private static bool ClusterUnreachable(Exception exception) => exception
        is SiloUnavailableException or OrleansMessageRejectionException or Orleans.Runtime.Messaging.ConnectionFailedException
        or GatewayTooBusyException or TimeoutException
        || (exception is ArgumentException && exception.TargetSite?.DeclaringType == typeof(GrainInterfaceTypeToGrainTypeResolver));

    private static Dictionary<string, string[]> Field(string field, string message) => new() { [field] = [message] };

    private static ValidationProblemDetails Invalid(int status, IReadOnlyDictionary<string, string[]> errors) =>
        new(errors.ToDictionary())
        {
            Status = status,
            // 413 and 415 take their title and errors from BodyProblems.Shape, like every other layer's.
            Title = status switch
            {
                StatusCodes.Status409Conflict => "The write conflicts with a stored record.",
                StatusCodes.Status422UnprocessableEntity => "The record refers to a record that does not exist.",
                _ => "One or more fields are invalid.",
            },
        };

    private static ProblemDetails Detail(int status, string detail) => new() { Status = status, Detail = detail };

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected failure answering {Method} {Path}.")]
    private partial void LogUnexpected(Exception exception, string method, string path);
}
