using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;
using Newsstand.Hosting;

namespace Newsstand.Api.Hosting;

/// <summary>
/// Admission of long-lived answers (<see cref="LongLivedOptions"/>): an SSE feed or a WebSocket takes a place
/// for as long as it runs, counted per client address and in all, and gives it back however it ends. A request
/// that finds no place is refused at once (429 + Retry-After), before it subscribes to anything or reads the log.
/// </summary>
internal sealed partial class LongLivedConnections(IOptions<LongLivedOptions> options, ILogger<LongLivedConnections> logger)
{
    private readonly IOptions<LongLivedOptions> _options = options;
    private readonly ILogger _logger = logger;
    private readonly Dictionary<string, int> _byAddress = new(StringComparer.Ordinal);
    private int _total;

    /// <summary>Answers open right now.</summary>
    public int Open
    {
        get
        {
            lock (_byAddress)
            {
                return _total;
            }
        }
    }

    /// <summary>A place for one answer of <paramref name="address"/>, or null when its address or the web client is full.</summary>
    public Place? TryAdmit(IPAddress? address)
    {
        var key = ClientAddress.Key(address);
        var limits = _options.Value;
        lock (_byAddress)
        {
            var mine = _byAddress.GetValueOrDefault(key);
            if (mine >= limits.PerAddress || _total >= limits.Total)
            {
                return null;
            }
            _byAddress[key] = mine + 1;
            _total++;
        }
        return new Place(this, key);
    }

    private void Release(string key)
    {
        lock (_byAddress)
        {
            _total--;
            if (--_byAddress[key] == 0)
            {
                _byAddress.Remove(key);
            }
        }
    }

    internal static async ValueTask<object?> AdmitAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var connections = http.RequestServices.GetRequiredService<LongLivedConnections>();
        using var place = connections.TryAdmit(http.Connection.RemoteIpAddress);
        if (place is not null)
        {
            return await next(context);
        }
        var seconds = (int)Math.Ceiling(connections._options.Value.RetryAfter.TotalSeconds);
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        LogRefused(connections._logger, http.Request.Path, http.Connection.RemoteIpAddress);
        return TypedResults.Problem(
            statusCode: StatusCodes.Status429TooManyRequests,
            title: "Too many open feeds.",
            type: "https://www.rfc-editor.org/rfc/rfc6585#section-4",
            detail: $"This address, or this server, has as many feeds and sockets open as it may; close one or retry after {seconds} s.");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a long-lived answer of {Path} for a client at {Address}: no place left.")]
    private static partial void LogRefused(ILogger logger, string path, IPAddress? address);

    /// <summary>One admitted answer's place; disposing it gives the place back (once).</summary>
    internal sealed class Place(LongLivedConnections owner, string key) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.Release(key);
            }
        }
    }
}

internal static class LongLivedConnectionsExtensions
{
    /// <summary>The endpoint's answers are long-lived (a feed or a socket): each needs a place (<see cref="LongLivedConnections"/>) for as long as it runs.</summary>
    public static RouteHandlerBuilder RequireLongLivedPlace(this RouteHandlerBuilder endpoint) =>
        endpoint.AddEndpointFilter(LongLivedConnections.AdmitAsync).ProducesProblem(StatusCodes.Status429TooManyRequests);

    public static WebApplicationBuilder AddLongLivedConnections(this WebApplicationBuilder builder)
    {
        builder.Services.AddSettings<LongLivedOptions>(LongLivedOptions.SectionName);
        builder.Services.AddSingleton<LongLivedConnections>();
        return builder;
    }
}
