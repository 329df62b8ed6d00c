using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Newsstand.Client.Sockets;
using Newsstand.Errors;

namespace Newsstand.Client.Errors;

/// <summary>
/// The one place where failures become answers: request errors, domain errors from grains and an
/// unreachable cluster each map to an RFC 9457 problem. Nothing of an exception but its message (and
/// for unexpected ones, not even that) reaches the caller.
/// </summary>
internal sealed partial class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
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
        return await problems.TryWriteAsync(new() { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }

    private static (int Status, ProblemDetails Problem, int? RetryAfter) Map(Exception exception) => exception switch
    {
        RequestValidationException e => (e.StatusCode, Invalid(e.StatusCode, e.Errors), null),
        BadHttpRequestException e => (e.StatusCode, Detail(e.StatusCode, e.Message), null),
        RecordConflictException e => (StatusCodes.Status409Conflict, Invalid(StatusCodes.Status409Conflict, Field(e.Field, e.Message)), null),
        MissingReferenceException e => (StatusCodes.Status422UnprocessableEntity, Invalid(StatusCodes.Status422UnprocessableEntity,
            e.References.GroupBy(r => r.Field).ToDictionary(g => g.Key, g => g.Select(r => r.Message).ToArray())), null),
        RecordNotFoundException e => (StatusCodes.Status404NotFound, Detail(StatusCodes.Status404NotFound, e.Message), null),
        OverloadedException e => (StatusCodes.Status503ServiceUnavailable, Detail(StatusCodes.Status503ServiceUnavailable, e.Message), e.RetryAfterSeconds),
        StorageUnavailableException e => (StatusCodes.Status503ServiceUnavailable, Detail(StatusCodes.Status503ServiceUnavailable, e.Message), e.RetryAfterSeconds),
        StaleWriteException e => (StatusCodes.Status409Conflict, Detail(StatusCodes.Status409Conflict, e.Message), null),
        UpstreamException e => (e.StatusCode, Detail(e.StatusCode, e.Message),
            e.StatusCode == StatusCodes.Status503ServiceUnavailable ? UpstreamException.RetryAfterSeconds : null),
        SiloUnavailableException or OrleansMessageRejectionException or TimeoutException =>
            (StatusCodes.Status503ServiceUnavailable, Detail(StatusCodes.Status503ServiceUnavailable, "The cluster is not reachable right now; retry shortly."), ClusterRetryAfterSeconds),
        OperationCanceledException => (StatusCodes.Status499ClientClosedRequest, Detail(StatusCodes.Status499ClientClosedRequest, "The request was cancelled."), null),
        _ => (StatusCodes.Status500InternalServerError, Detail(StatusCodes.Status500InternalServerError, "An unexpected error occurred."), null),
    };

    private static Dictionary<string, string[]> Field(string field, string message) => new() { [field] = [message] };

    private static ValidationProblemDetails Invalid(int status, IReadOnlyDictionary<string, string[]> errors) =>
        new(errors.ToDictionary())
        {
            Status = status,
            Title = status switch
            {
                StatusCodes.Status409Conflict => "The write conflicts with a stored record.",
                StatusCodes.Status422UnprocessableEntity => "The record refers to a record that does not exist.",
                StatusCodes.Status413PayloadTooLarge => "The request body is too large.",
                StatusCodes.Status415UnsupportedMediaType => "The request body has an unsupported media type.",
                _ => "One or more fields are invalid.",
            },
        };

    private static ProblemDetails Detail(int status, string detail) => new() { Status = status, Detail = detail };

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected failure answering {Method} {Path}.")]
    private partial void LogUnexpected(Exception exception, string method, string path);
}
