using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Access;

/// <summary>
/// Authentication runs only for a request that carries a credential (<c>AccessPolicies.UseAccess</c>): a request without
/// one authenticates to no one, so asking the bearer scheme would only cost its handler. The host adds authentication in
/// front of the whole pipeline by itself unless the pipeline is marked as having it; these tests count what the
/// authentication service is asked, per request path, in the web client the other API tests use (<c>Auth:Mode=Open</c>).
/// </summary>
[Collection(SqliteClusterDefinition.Name)]
public sealed class CredentialAuthenticationTests(ClusterFixture fixture)
{
    private const string Path = "/ch08/vendor/list";

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

    private (Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> Web, AskedSchemes Asked) Counted()
    {
        var asked = new AskedSchemes();
        var web = fixture.CreateWebClient().WithWebHostBuilder(host => host.ConfigureTestServices(services =>
        {
            services.AddSingleton(asked);
            services.AddScoped<IAuthenticationService, CountingAuthenticationService>();
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
}
