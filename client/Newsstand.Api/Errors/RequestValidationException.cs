namespace Newsstand.Api.Errors;

/// <summary>A request the API refuses before it reaches a grain; <see cref="Errors"/> names each bad field.</summary>
internal sealed class RequestValidationException(IReadOnlyDictionary<string, string[]> errors, int statusCode = StatusCodes.Status400BadRequest)
    : Exception("The request is invalid.")
{
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;

    public int StatusCode { get; } = statusCode;

    public static RequestValidationException For(string field, string message, int statusCode = StatusCodes.Status400BadRequest) =>
        new(new Dictionary<string, string[]> { [field] = [message] }, statusCode);
}
