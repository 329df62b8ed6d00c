using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Newsstand.Api.Binding;
using Newsstand.Records;
using Newsstand.Hosting;

namespace Newsstand.Api.Hosting;

/// <summary>
/// The per-username and per-address limits of <see cref="AbuseLimitOptions"/>, built on ASP.NET Core's
/// rate limiters (System.Threading.RateLimiting). The username is in the body, which the rate limiting
/// middleware never reads, so the limits apply as an endpoint filter once the body is bound and valid;
/// a refused request has cost a parse, never a hash. Both keys of a route are chained: a request takes
/// a permit from its address's window, then from its username's.
/// </summary>
internal sealed partial class AbuseLimits : IDisposable
{
    private readonly PartitionedRateLimiter<Attempt>[] _limiters;

    public AbuseLimits(IOptions<AbuseLimitOptions> options)
    {
        var limits = options.Value;
        PartitionedRateLimiter<Attempt>[] verify = [ByAddress(limits.VerifyPerAddress), ByUsername(limits.VerifyPerUsername)];
        PartitionedRateLimiter<Attempt>[] add = [ByAddress(limits.AddPerAddress), ByUsername(limits.AddPerUsername)];
        Verify = PartitionedRateLimiter.CreateChained(verify);
        Add = PartitionedRateLimiter.CreateChained(add);
        // A chain does not dispose what it chains.
        _limiters = [Verify, Add, .. verify, .. add];
    }

    /// <summary>Limits of <c>POST /ch08/login/verify</c> and <c>POST /ch08/login/token</c> (one window for both).</summary>
    public PartitionedRateLimiter<Attempt> Verify { get; }

    /// <summary>Limits of <c>POST /ch08/login/add</c>.</summary>
    public PartitionedRateLimiter<Attempt> Add { get; }

    public static void AddTo(WebApplicationBuilder builder)
    {
        builder.Services.AddSettings<AbuseLimitOptions>(AbuseLimitOptions.SectionName);
        builder.Services.AddSingleton<AbuseLimits>();
    }

    public void Dispose()
    {
        foreach (var limiter in _limiters)
        {
            limiter.Dispose();
        }
    }

    /// <summary>One attempt on a password route: who it is for, and where it comes from.</summary>
    internal readonly record struct Attempt(string Username, string Address)
    {
        public static Attempt Of(HttpContext context, string username) =>
            // All spellings of one username (case, surrounding spaces, Unicode form) share a window.
            new(Usernames.Canonical(username), ClientAddress.Key(context.Connection.RemoteIpAddress));
    }

    internal static async ValueTask<object?> AdmitAsync<T>(EndpointFilterInvocationContext context, EndpointFilterDelegate next,
        Func<AbuseLimits, PartitionedRateLimiter<Attempt>> select, Func<T, string> username) where T : class
    {
        var http = context.HttpContext;
        // The credentials arrive as a JSON body (verify, add) or as a bound form (token).
        var value = context.Arguments.OfType<JsonBody<T>>().Select(body => body.Value).FirstOrDefault() ?? context.Arguments.OfType<T>().Single();
        using var lease = select(http.RequestServices.GetRequiredService<AbuseLimits>()).AttemptAcquire(Attempt.Of(http, username(value)));
        if (lease.IsAcquired)
        {
            return await next(context);
        }
        var seconds = Math.Max(1, lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? (int)Math.Ceiling(retryAfter.TotalSeconds) : 60);
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        LogLimited(http.RequestServices.GetRequiredService<ILogger<AbuseLimits>>(), http.Request.Path, http.Connection.RemoteIpAddress);
        return TypedResults.Problem(
            statusCode: StatusCodes.Status429TooManyRequests,
            title: "Too many attempts.",
            type: "https://www.rfc-editor.org/rfc/rfc6585#section-4",
            detail: $"Too many attempts for this username or from this address; retry after {seconds} s.");
    }

    private static PartitionedRateLimiter<Attempt> ByUsername(AbuseLimitOptions.Rate rate) =>
        PartitionedRateLimiter.Create<Attempt, string>(attempt => Window(attempt.Username, rate));

    private static PartitionedRateLimiter<Attempt> ByAddress(AbuseLimitOptions.Rate rate) =>
        PartitionedRateLimiter.Create<Attempt, string>(attempt => Window(attempt.Address, rate));

    private static RateLimitPartition<string> Window(string key, AbuseLimitOptions.Rate rate) =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions { PermitLimit = rate.Permits, Window = rate.Window, QueueLimit = 0 });

    // The username stays out of the log: it may be a password typed into the wrong field.
    [LoggerMessage(Level = LogLevel.Warning, Message = "Rate limited {Path} for a client at {Address}.")]
    private static partial void LogLimited(ILogger logger, string path, IPAddress? address);
}

internal static class AbuseLimitsExtensions
{
    /// <summary>
    /// Admits the endpoint's requests only while <paramref name="select"/>'s limits have room for the
    /// body's <paramref name="username"/> and the client's address; otherwise 429 with Retry-After.
    /// </summary>
    public static RouteHandlerBuilder RequireAbuseLimits<T>(this RouteHandlerBuilder endpoint,
        Func<AbuseLimits, PartitionedRateLimiter<AbuseLimits.Attempt>> select, Func<T, string> username) where T : class =>
        endpoint.AddEndpointFilter((context, next) => AbuseLimits.AdmitAsync(context, next, select, username))
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
}
