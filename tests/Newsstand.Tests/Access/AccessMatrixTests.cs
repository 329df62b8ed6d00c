using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Newsstand.Grains;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Access;

/// <summary>
/// SPEC §9's table against every route the web client maps (from its endpoint data source, so a route added later
/// is met here): anonymous, a user and an admin each call it, and the answer must be 401, 403 or past authorization
/// (anything else) as the table says. A route missing from the table, or mapped without an explicit policy, fails.
/// </summary>
[Collection(AccessClusterDefinition.Name)]
public sealed class AccessMatrixTests(AccessClusterFixture fixture)
{
    private enum Who { Anyone, SignedIn, Admin, SelfOrAdmin }

    /// <summary>The authorization table as built (method and route pattern → who may call it).</summary>
    private static readonly Dictionary<string, Who> Table = new()
    {
        ["POST /ch08/login/add"] = Who.Anyone,
        ["POST /ch08/login/verify"] = Who.Anyone,
        ["POST /ch08/login/token"] = Who.Anyone,
        ["GET /health/live"] = Who.Anyone,
        ["GET /health/ready"] = Who.Anyone,
        ["GET /openapi/v1.json"] = Who.Anyone,
        ["GET /openapi.json"] = Who.Anyone,
        ["GET /docs/{documentName?}"] = Who.Anyone,
        ["GET /docs/scalar.js"] = Who.Anyone,
        ["GET /docs/scalar.aspnetcore.js"] = Who.Anyone,
        ["GET /docs/favicon.svg"] = Who.Anyone,
        ["PATCH /ch08/login/update"] = Who.SelfOrAdmin,
        ["POST /ch08/admin/add"] = Who.Admin,
        ["POST /ch08/admin/login/list"] = Who.Admin,
        ["GET /ch08/login/list/all"] = Who.Admin,
        ["HEAD /ch08/login/list/all"] = Who.Admin,
        ["GET /ch08/login/list/records"] = Who.Admin,
        ["GET /ch08/admin/billing/all"] = Who.Admin,
        ["GET /ch08/admin/login/list/enc"] = Who.Admin,
        ["POST /ch08/admin/login/dec"] = Who.Admin,
        ["POST /ch08/billing/save/csv"] = Who.Admin,
        ["GET /ch08/billing/jobs/{job_id}"] = Who.Admin,
        ["GET /ch08/billing/jobs/{job_id}/file"] = Who.Admin,
        ["POST /ch08/billing/total/payable"] = Who.Admin,
        ["GET /ch08/sales/list/quota"] = Who.Admin,
        ["GET /ch08/sales/quota/latest"] = Who.Admin,
        ["GET /ch08/subscription/monitor/total"] = Who.Admin,
        ["GET /ch08/subscription/monitor"] = Who.Admin,
        ["DELETE /ch08/subscription/monitor"] = Who.Admin,
        ["GET /ch08/messenger/kafka/failed"] = Who.Admin,
        ["GET /ch08/notifications/sse"] = Who.Admin,
        ["POST /ch08/vendor/add"] = Who.SignedIn,
        ["POST /ch08/customer/add"] = Who.SignedIn,
        ["POST /ch08/billing/add"] = Who.SignedIn,
        ["POST /ch08/messenger/add"] = Who.SignedIn,
        ["POST /ch08/publication/add"] = Who.SignedIn,
        ["POST /ch08/content/add"] = Who.SignedIn,
        ["POST /ch08/sales/add"] = Who.SignedIn,
        ["POST /ch08/subscription/add"] = Who.SignedIn,
        ["GET /ch08/vendor/list"] = Who.SignedIn,
        ["HEAD /ch08/vendor/list"] = Who.SignedIn,
        ["GET /ch08/publication/list"] = Who.SignedIn,
        ["HEAD /ch08/publication/list"] = Who.SignedIn,
        ["GET /ch08/content/list"] = Who.SignedIn,
        ["HEAD /ch08/content/list"] = Who.SignedIn,
        ["GET /ch08/subscription/list/all"] = Who.SignedIn,
        ["HEAD /ch08/subscription/list/all"] = Who.SignedIn,
        ["POST /ch08/subscription/dated"] = Who.SignedIn,
        ["POST /ch08/messenger/kafka/send"] = Who.SignedIn,
        ["GET /ch08/messenger/sse/add"] = Who.SignedIn,
        ["GET /ch08/customer/list/ws"] = Who.SignedIn,
        ["GET /ch08/customer/wsclient/list/"] = Who.SignedIn,
    };

    [Fact]
    public void EveryRouteHasAnExplicitPolicyOrIsMarkedAnonymous()
    {
        var unmarked = Endpoints()
            .Where(e => e.Endpoint.Metadata.GetMetadata<IAllowAnonymous>() is null && e.Endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Count == 0)
            .Select(e => e.Route).ToList();
        Assert.Empty(unmarked);
    }

    [Fact]
    public void EveryRouteIsInTheTable()
    {
        var routes = Endpoints().Select(e => e.Route).ToHashSet();
        Assert.Empty(routes.Except(Table.Keys));
        Assert.Empty(Table.Keys.Except(routes));
    }

    [Fact]
    public async Task EachCallerGetsWhatTheTableSays()
    {
        var admin = await fixture.AdminTokenAsync();
        var user = await fixture.NewUserAsync();
        await using var kestrel = KestrelWebClient.Start(fixture.CreateWebClient(AccessClusterFixture.RequiredSettings));
        var wrong = new List<string>();
        foreach (var route in Table.Keys)
        {
            var (method, pattern) = (route.Split(' ')[0], route.Split(' ')[1]);
            var who = Table[route];
            var path = pattern.Replace("{job_id}", "no-such-job", StringComparison.Ordinal).Replace("{documentName?}", "", StringComparison.Ordinal)
                + (who == Who.SelfOrAdmin ? $"?id={user.Id}" : "");
            var anonymous = await StatusAsync(kestrel, method, path, null);
            var asUser = await StatusAsync(kestrel, method, path, user.Token);
            var asAdmin = await StatusAsync(kestrel, method, path, admin);
            var expected = who switch
            {
                Who.Anyone => ("passes", "passes", "passes"),
                Who.SignedIn or Who.SelfOrAdmin => ("401", "passes", "passes"),
                _ => ("401", "403", "passes"),
            };
            var actual = (Class(anonymous), Class(asUser), Class(asAdmin));
            if (actual != expected)
            {
                wrong.Add($"{route}: expected {expected}, got anonymous {anonymous}, user {asUser}, admin {asAdmin}");
            }
        }
        // The matrix started the subscription monitor: leave it stopped, as the tests found it.
        await fixture.Grains.GetGrain<ISubscriptionMonitorGrain>(0).StopAsync();
        Assert.Empty(wrong);
    }

    [Fact]
    public async Task AnUnknownPathAndAWrongMethodStill404And405()
    {
        using var anonymous = fixture.As(null);
        using var unknown = await anonymous.GetAsync("/ch08/no/such/route");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var method = await anonymous.PutAsync("/ch08/vendor/list", null);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, method.StatusCode);
    }

    private static string Class(HttpStatusCode status) => status switch
    {
        HttpStatusCode.Unauthorized => "401",
        HttpStatusCode.Forbidden => "403",
        _ => "passes",
    };

    /// <summary>The status of one call; a long-lived answer is judged by its headers and dropped.</summary>
    private static async Task<HttpStatusCode> StatusAsync(KestrelWebClient web, string method, string path, string? token)
    {
        using var http = web.CreateClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (token is not null)
        {
            request.Headers.Authorization = new("Bearer", token);
        }
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, patience.Token);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString());
        }
        return response.StatusCode;
    }

    private IEnumerable<(string Route, RouteEndpoint Endpoint)> Endpoints() =>
        fixture.Web.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(endpoint => (endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(method => ($"{method} /{endpoint.RoutePattern.RawText!.TrimStart('/')}", endpoint)));
}
