using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Newsstand.Hosting;
using Newsstand.Records;

namespace Newsstand.Api.Access;

/// <summary>
/// The API's authorization: bearer tokens validated locally (<see cref="BearerTokenSetup"/>) and two policies every
/// route names explicitly — <see cref="SignedIn"/> and <see cref="Admin"/> — or it is marked anonymous. A route
/// mapped without either is refused to everyone (the fallback policy), and a test fails on it. In
/// <see cref="AccessMode.Open"/> both policies admit anyone.
/// </summary>
internal static partial class AccessPolicies
{
    public const string SignedIn = "SignedIn";
    public const string Admin = "Admin";

    /// <summary>The application property by which ASP.NET Core's <c>UseAuthentication</c> tells the host that the pipeline
    /// has authentication (since .NET 6); <c>CredentialAuthenticationTests</c> fails if the host stops reading it.</summary>
    private const string AuthenticationMiddlewareSet = "__AuthenticationMiddlewareSet";

    public static WebApplicationBuilder AddAccess(this WebApplicationBuilder builder)
    {
        builder.Services.AddSettings<AccessOptions>(AccessOptions.SectionName);
        var open = Settings.Read<AccessOptions>(builder.Configuration, AccessOptions.SectionName).Mode == AccessMode.Open;
        builder.Services.AddSingleton<SigningKeyCache>();
        builder.Services.AddSingleton<ValidatedTokens>();
        builder.Services.AddHostedService(services => services.GetRequiredService<SigningKeyCache>());
        builder.Services.AddSingleton<IConfigureOptions<JwtBearerOptions>, BearerTokenSetup>();
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddAuthorization(options =>
        {
            options.AddPolicy(SignedIn, policy => Require(policy, open, p => p.RequireAuthenticatedUser()));
            options.AddPolicy(Admin, policy => Require(policy, open, p => p.RequireAuthenticatedUser().RequireRole(AccessTokens.AdminRole)));
            // Only a mapped route without a policy of its own meets this; unknown paths and 405s still answer 404 and 405.
            options.FallbackPolicy = new AuthorizationPolicyBuilder()
                .RequireAssertion(context => context.Resource is not HttpContext http || http.GetEndpoint() is not RouteEndpoint)
                .Build();
        });
        if (open)
        {
            builder.Services.AddTransient<PolicyEvaluator>();
            builder.Services.AddTransient<IPolicyEvaluator, OpenAccess.Evaluator>();
        }
        QueryAccessToken.AddTo(builder.Services);
        return builder;
    }

    public static WebApplication UseAccess(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<AccessOptions>>().Value.Mode == AccessMode.Open)
        {
            LogOpen(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AccessPolicies).FullName!));
        }
        // A request without a credential authenticates to no one: the bearer scheme would answer "no result" after
        // making its handler (about 2 µs of a light read's CPU). A route's policy still authenticates its scheme itself.
        app.UseWhen(CarriesCredential, signedIn => signedIn.UseAuthentication());
        // UseAuthentication marks only the branch it is in. Unmarked, the host adds it once more in front of the whole
        // pipeline (WebApplication does so for any app with an authentication scheme that did not call it), and every
        // request ran the default scheme's handler after all: 7 µs of a co-hosted light read (bench/README.md).
        ((IApplicationBuilder)app).Properties[AuthenticationMiddlewareSet] = true;
        app.UseAuthorization();
        return app;
    }

    /// <summary>Whether the request carries a token: an <c>Authorization</c> header, or a query token (<see cref="QueryAccessToken"/>).</summary>
    internal static bool CarriesCredential(HttpContext context) =>
        context.Request.Headers.ContainsKey(HeaderNames.Authorization) || context.Features.Get<QueryAccessToken>() is not null;

    /// <summary>The route is for any signed-in caller; documented with its 401.</summary>
    public static TBuilder RequireSignedIn<TBuilder>(this TBuilder endpoint) where TBuilder : IEndpointConventionBuilder =>
        endpoint.RequireAuthorization(SignedIn);

    /// <summary>The route is for admins only; documented with its 401 and 403.</summary>
    public static TBuilder RequireAdmin<TBuilder>(this TBuilder endpoint) where TBuilder : IEndpointConventionBuilder =>
        endpoint.RequireAuthorization(Admin);

    private static void Require(AuthorizationPolicyBuilder policy, bool open, Action<AuthorizationPolicyBuilder> required)
    {
        if (open)
        {
            policy.AddRequirements(OpenAccess.Requirement);
        }
        else
        {
            required(policy.AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Auth:Mode is Open: every route answers anyone, as the original service did. Use it for demos and the side-by-side benchmark only; the default is Required.")]
    private static partial void LogOpen(ILogger logger);
}
