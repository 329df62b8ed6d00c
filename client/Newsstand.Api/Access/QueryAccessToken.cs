using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Newsstand.Api.Access;

/// <summary>
/// <c>access_token</c> in the query string, for the routes browsers open with <c>EventSource</c> or <c>WebSocket</c>
/// (which cannot set a header). It is taken out of every request's query (and raw target) as the request's context
/// is created — before the host logs "Request starting", before tracing records <c>url.query</c>, before any
/// middleware — so no log line or span can carry it. Only endpoints marked <see cref="QueryAccessTokenExtensions.AllowQueryAccessToken"/> read it.
/// </summary>
internal sealed class QueryAccessToken(string token)
{
    public const string Name = "access_token";

    public string Token { get; } = token;

    public static void AddTo(IServiceCollection services) =>
        services.Replace(ServiceDescriptor.Singleton<IHttpContextFactory, StrippingContextFactory>());

    /// <summary>The query token of this request, if its endpoint takes one.</summary>
    public static string? For(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<Marker>() is not null ? context.Features.Get<QueryAccessToken>()?.Token : null;

    /// <summary>The query without any <c>access_token</c> parameter, and the last such parameter's value.</summary>
    internal static (string Query, string? Token) Strip(string query)
    {
        if (!query.Contains(Name, StringComparison.OrdinalIgnoreCase))
        {
            return (query, null);
        }
        string? token = null;
        var kept = new List<string>();
        foreach (var part in query.TrimStart('?').Split('&'))
        {
            var equals = part.IndexOf('=');
            var name = Uri.UnescapeDataString((equals < 0 ? part : part[..equals]).Replace('+', ' '));
            if (string.Equals(name, Name, StringComparison.Ordinal))
            {
                token = equals < 0 ? "" : Uri.UnescapeDataString(part[(equals + 1)..].Replace('+', ' '));
            }
            else if (part.Length > 0)
            {
                kept.Add(part);
            }
        }
        return (kept.Count == 0 ? "" : "?" + string.Join('&', kept), token);
    }

    internal sealed class Marker;

    private sealed class StrippingContextFactory(IServiceProvider services) : IHttpContextFactory
    {
        private readonly DefaultHttpContextFactory _inner = new(services);

        public HttpContext Create(IFeatureCollection featureCollection)
        {
            if (featureCollection.Get<IHttpRequestFeature>() is { } request)
            {
                var (query, token) = Strip(request.QueryString);
                if (token is not null)
                {
                    request.QueryString = query;
                    var question = request.RawTarget.IndexOf('?');
                    if (question >= 0)
                    {
                        request.RawTarget = request.RawTarget[..question] + Strip(request.RawTarget[question..]).Query;
                    }
                    featureCollection.Set(new QueryAccessToken(token));
                }
            }
            return _inner.Create(featureCollection);
        }

        public void Dispose(HttpContext httpContext) => _inner.Dispose(httpContext);
    }
}

internal static class QueryAccessTokenExtensions
{
    /// <summary>The route also takes its bearer token as <c>access_token</c> in the query (SSE and WebSocket routes only).</summary>
    public static RouteHandlerBuilder AllowQueryAccessToken(this RouteHandlerBuilder endpoint) =>
        endpoint.WithMetadata(new QueryAccessToken.Marker());
}
