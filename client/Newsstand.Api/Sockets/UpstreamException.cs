namespace Newsstand.Api.Sockets;

/// <summary>An endpoint this service calls failed: 502 (it answered wrongly or stopped answering) or 503 (it could not be reached).</summary>
internal sealed class UpstreamException(int statusCode, string message, Exception? inner = null) : Exception(message, inner)
{
    public const int RetryAfterSeconds = 5;

    public int StatusCode { get; } = statusCode;

    public static UpstreamException Unreachable(string message, Exception? inner = null) => new(StatusCodes.Status503ServiceUnavailable, message, inner);

    public static UpstreamException Broken(string message, Exception? inner = null) => new(StatusCodes.Status502BadGateway, message, inner);
}
