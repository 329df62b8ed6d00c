namespace Newsstand.Api.Sockets;

/// <summary>
/// Which web pages may open the customer socket: pages of this service's own origin, and the origins
/// <see cref="CustomerSocketOptions.AllowedOrigins"/> lists. Browsers send <c>Origin</c> on every WebSocket
/// handshake and let any page open a socket to any site, so this check is what stops another site's page from
/// using a visitor's browser against the service. A request without <c>Origin</c> is not from a browser page
/// (a script, a service, our own client) and is allowed.
/// </summary>
internal static class SocketOrigins
{
    public static bool Allows(HttpRequest request, IReadOnlyCollection<string> allowed)
    {
        var origins = request.Headers.Origin;
        if (origins.Count == 0)
        {
            return true;
        }
        // A page has exactly one origin; "null" (sandboxed frames, files) is never the service's own.
        return origins is [{ } origin] && (IsOwn(origin, request) || allowed.Contains(origin, StringComparer.OrdinalIgnoreCase));
    }

    /// <summary>The origin's scheme, host and port are the request's (default ports included); behind a trusted proxy, the scheme it forwarded.</summary>
    private static bool IsOwn(string origin, HttpRequest request) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var page)
        && Uri.TryCreate($"{request.Scheme}://{request.Host.Value}", UriKind.Absolute, out var own)
        && Uri.Compare(page, own, UriComponents.SchemeAndServer, UriFormat.UriEscaped, StringComparison.OrdinalIgnoreCase) == 0;
}
