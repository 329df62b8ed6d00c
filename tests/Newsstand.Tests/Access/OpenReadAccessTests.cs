using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Access;

/// <summary>
/// What a read costs in access checks in <c>Auth:Mode=Open</c> (the web client the other API tests use). Authentication
/// runs only for a request that carries a credential (<c>AccessPolicies.UseAccess</c>): a request without one
/// authenticates to no one, so asking the bearer scheme would only cost its handler; the host adds authentication in
/// front of the whole pipeline by itself unless the pipeline is marked as having it. A route whose policy admits anyone
/// (<c>OpenAccess</c>) is admitted without the authorization service. The tests count what each service is asked, per
/// request path; <c>AccessMatrixTests</c> holds who may call what in <c>Required</c>.
/// </summary>
[Collection(SqliteClusterDefinition.Name)]
public sealed class OpenReadAccessTests(ClusterFixture fixture)
{
    private const string Path = "/ch08/vendor/list";
    private const string AdminPath = "/ch08/login/list/all";

    [Fact]
    public async Task AReadWithoutACredentialAsksNoAuthenticationScheme()
    {
        var (web, asked) = Counted();
        await using var _ = web;
        using var http = web.CreateClient();

        using var response = await http.GetAsync(Path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, asked.Of(Path));
    }

    [Fact]
    public async Task AReadWithACredentialIsAuthenticated()
    {
        var (web, asked) = Counted();
        await using var _ = web;
        using var http = web.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not-a-token");

        using var response = await http.GetAsync(Path);

        Assert.True(asked.Of(Path) > 0, "a request with an Authorization header was not authenticated");
    }

    [Fact]
    public async Task AnOpenRouteIsAdmittedWithoutTheAuthorizationService()
    {
        var (web, asked) = Counted();
        await using var _ = web;
        using var http = web.CreateClient();

        // A signed-in route and an admin route: both policies admit anyone in Open mode.
        using var listed = await http.GetAsync(Path);
        using var logins = await http.GetAsync(AdminPath);

        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, logins.StatusCode);
        Assert.Equal(0, asked.Of("authorize " + Path));
        Assert.Equal(0, asked.Of("authorize " + AdminPath));
    }

    private (Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> Web, AskedSchemes Asked) Counted()
    {
        var asked = new AskedSchemes();
        var web = fixture.CreateWebClient().WithWebHostBuilder(host => host.ConfigureTestServices(services =>
        {
            services.AddSingleton(asked);
            services.AddScoped<IAuthenticationService, CountingAuthenticationService>();
            services.AddTransient<IAuthorizationService, CountingAuthorizationService>();
        }));
        return (web, asked);
    }

    private sealed class AskedSchemes
    {
        private readonly Dictionary<string, int> _byPath = [];

        public void Add(string path)
        {
            lock (_byPath)
            {
                _byPath[path] = _byPath.GetValueOrDefault(path) + 1;
            }
        }

        public int Of(string path)
        {
            lock (_byPath)
            {
                return _byPath.GetValueOrDefault(path);
            }
        }
    }

    /// <summary>ASP.NET Core's own authentication service, counting what it is asked to authenticate.</summary>
    private sealed class CountingAuthenticationService(
        IAuthenticationSchemeProvider schemes,
        IAuthenticationHandlerProvider handlers,
        IClaimsTransformation transform,
        IOptions<AuthenticationOptions> options,
        AskedSchemes asked)
        : AuthenticationService(schemes, handlers, transform, options)
    {
        public override Task<AuthenticateResult> AuthenticateAsync(HttpContext context, string? scheme)
        {
            asked.Add(context.Request.Path);
            return base.AuthenticateAsync(context, scheme);
        }
    }

    /// <summary>ASP.NET Core's own authorization service, counting the requests it is asked about.</summary>
    private sealed class CountingAuthorizationService(
        IAuthorizationPolicyProvider policies,
        IAuthorizationHandlerProvider handlers,
        ILogger<DefaultAuthorizationService> logger,
        IAuthorizationHandlerContextFactory contexts,
        IAuthorizationEvaluator evaluator,
        IOptions<AuthorizationOptions> options,
        AskedSchemes asked)
        : DefaultAuthorizationService(policies, handlers, logger, contexts, evaluator, options)
    {
        public override Task<AuthorizationResult> AuthorizeAsync(ClaimsPrincipal user, object? resource, IEnumerable<IAuthorizationRequirement> requirements)
        {
            if (resource is HttpContext http)
            {
                asked.Add("authorize " + http.Request.Path);
            }
            return base.AuthorizeAsync(user, resource, requirements);
        }
    }
}
