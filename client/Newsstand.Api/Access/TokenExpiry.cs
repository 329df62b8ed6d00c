using System.Globalization;
using System.Security.Claims;
using Microsoft.Extensions.Options;

namespace Newsstand.Api.Access;

/// <summary>
/// A feed outlives no token: a long-lived answer opened with a token ends when the token expires, so the client
/// comes back with a fresh one. SSE: the request's abort token fires at expiry and the response ends;
/// the customer socket checks <see cref="ExpiresAt"/> and closes with 1008.
/// </summary>
internal static class TokenExpiry
{
    /// <summary>When the caller's token expires; null in Open mode or without a token.</summary>
    public static DateTimeOffset? ExpiresAt(HttpContext context)
    {
        if (context.RequestServices.GetRequiredService<IOptions<AccessOptions>>().Value.Mode == AccessMode.Open)
        {
            return null;
        }
        return context.User.FindFirstValue("exp") is { } exp && long.TryParse(exp, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;
    }

    /// <summary>The request's abort token also fires when the caller's token expires.</summary>
    public static RouteHandlerBuilder EndsWhenTokenExpires(this RouteHandlerBuilder endpoint) =>
        endpoint.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (ExpiresAt(http) is not { } expires)
            {
                return await next(context);
            }
            var time = http.RequestServices.GetRequiredService<TimeProvider>();
            using var expiry = new CancellationTokenSource(Max(expires - time.GetUtcNow(), TimeSpan.Zero), time);
            using var ending = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, expiry.Token);
            http.RequestAborted = ending.Token;
            return await next(context);
        });

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
