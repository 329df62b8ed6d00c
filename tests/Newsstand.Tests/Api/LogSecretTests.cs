using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Api;

/// <summary>
/// Every route, answered well and badly, with secrets in passwords and in credential headers: no log
/// line of the silo (Debug and up) or of this web client (Trace and up) may carry any of them, nor a hash,
/// nor a profile token or the key that makes them. The test fails when a route is added that it does not call.
/// </summary>
[Collection(SqliteClusterDefinition.Name)]
public sealed class LogSecretTests(ClusterFixture fixture)
{
    private readonly List<string> _secrets = [];

    [Fact]
    public async Task NoLogLineOfAnyRouteCarriesAPasswordAHashOrAToken()
    {
        await using var web = fixture.CreateWebClient(("AbuseLimits:VerifyPerUsername:Permits", "2"), ("AbuseLimits:VerifyPerUsername:Window", "01:00:00"))
            .WithWebHostBuilder(host => host.ConfigureLogging(logging => logging.AddFilter<LogCapture>(null, LogLevel.Trace)));
        using var http = web.CreateClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", Secret("bearer"));
        http.DefaultRequestHeaders.Add("Cookie", "session=" + Secret("cookie"));
        var statuses = new List<(string Route, HttpStatusCode Status)>();
        var called = new HashSet<string>();
        async Task Call(string route, Task<HttpResponseMessage> sending)
        {
            using var response = await sending;
            statuses.Add((route, response.StatusCode));
            if (response.RequestMessage is { } request)
            {
                called.Add($"{request.Method} {request.RequestUri!.AbsolutePath}");
            }
        }

        var id = Ids.Next();
        var username = $"logs{id}";
        var password = Secret("password");
        await Call("login add", http.PostAsync("/ch08/login/add", Bodies.Login(id, username, password)));
        await Call("login add duplicate", http.PostAsync("/ch08/login/add", Bodies.Login(id, username, Secret("duplicate"))));
        await Call("login add weak", http.PostAsync("/ch08/login/add", Bodies.Login(Ids.Next(), password: "weak")));
        await Call("login add not JSON", http.PostAsync("/ch08/login/add",
            new StringContent(Bodies.Compact(Bodies.Login(Ids.Next(), password: Secret("broken"))) + "}", Encoding.UTF8, "application/json")));
        await Call("login add bad UTF-8", http.SendRawAsync(HttpMethod.Post, "/ch08/login/add",
            Bodies.WithRawText(Bodies.Login(Ids.Next()), "password", [.. Encoding.UTF8.GetBytes(Secret("utf8")), 0xFF])));
        await Call("login add form", http.PostAsync("/ch08/login/add", new FormUrlEncodedContent([new("password", Secret("form"))])));
        await Call("login add too large", http.PostAsync("/ch08/login/add", Bodies.Login(Ids.Next(), password: Secret("large") + new string('x', 1024 * 1024))));
        await Call("login verify", http.PostAsync("/ch08/login/verify", new JsonObject { ["username"] = username, ["password"] = password }));
        await Call("login verify wrong", http.PostAsync("/ch08/login/verify", new JsonObject { ["username"] = username, ["password"] = Secret("wrong") }));
        await Call("login verify limited", http.PostAsync("/ch08/login/verify", new JsonObject { ["username"] = username, ["password"] = Secret("limited") }));
        await Call("login verify unknown", http.PostAsync("/ch08/login/verify", new JsonObject { ["username"] = "nobody" + id, ["password"] = Secret("unknown") }));
        await Call("login token unknown", http.PostAsync("/ch08/login/token", new FormUrlEncodedContent([new("username", "nobody-token" + id), new("password", Secret("tokenwrong"))])));
        await Call("login update", http.PatchAsync($"/ch08/login/update?id={id}", JsonContent.Create(Bodies.Login(id, username, Secret("updated")))));
        var missing = Ids.Next();
        await Call("login update missing", http.PatchAsync($"/ch08/login/update?id={missing}", JsonContent.Create(Bodies.Login(missing, password: Secret("missing")))));
        await Call("login update bad id", http.PatchAsync($"/ch08/login/update?id={id}%00", JsonContent.Create(Bodies.Login(id, username, Secret("badid")))));
        await Call("login list", http.GetAsync("/ch08/login/list/all"));

        var adminId = Ids.Next(); var vendorId = Ids.Next(); var customerId = Ids.Next(); var messengerId = Ids.Next(); var publicationId = Ids.Next();
        (string Table, JsonObject Body)[] records =
        [
            ("admin", Bodies.Admin(adminId, id)), ("vendor", Bodies.Vendor(vendorId, id)), ("customer", Bodies.Customer(customerId, id)),
            ("billing", Bodies.Billing(Ids.Next(), vendorId, adminId)), ("messenger", Bodies.Messenger(messengerId, vendorId)),
            ("publication", Bodies.Publication(publicationId, vendorId, messengerId)), ("content", Bodies.Content(Ids.Next(), publicationId)),
            ("sales", Bodies.Sales(Ids.Next(), publicationId)), ("subscription", Bodies.Subscription(Ids.Next(), customerId)),
        ];
        foreach (var (table, body) in records)
        {
            await Call($"{table} add", http.PostAsync($"/ch08/{table}/add", body));
            await Call($"{table} add duplicate", http.PostAsync($"/ch08/{table}/add", body));
        }
        foreach (var list in new[] { "/ch08/vendor/list", "/ch08/publication/list", "/ch08/content/list", "/ch08/subscription/list/all", "/ch08/vendor/list?limit=x" })
        {
            await Call(list, http.GetAsync(list));
        }
        await Call("admin login list", http.PostAsync("/ch08/admin/login/list", null));
        foreach (var path in new[] { "/health/live", "/health/ready", "/openapi/v1.json", "/openapi.json", "/docs", "/ch08/no/such/route" })
        {
            await Call(path, http.GetAsync(path));
        }

        var workloads = await CallWorkloadRoutesAsync(http, adminId, (route, sending) => Call(route, sending));
        foreach (var (route, sending) in new (string, Func<Task<HttpResponseMessage>>)[]
        {
            ("HEAD list", () => http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/ch08/vendor/list"))),
            ("login list HEAD", () => http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/ch08/login/list/all"))),
            ("publication list HEAD", () => http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/ch08/publication/list"))),
            ("content list HEAD", () => http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/ch08/content/list"))),
            ("subscription list HEAD", () => http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/ch08/subscription/list/all"))),
            ("topic send", () => http.PostAsync("/ch08/messenger/kafka/send", Bodies.Messenger(Ids.Next(), vendorId))),
            ("topic send bad", () => http.PostAsync("/ch08/messenger/kafka/send", new JsonObject { ["id"] = "x", ["firstname"] = Secret("topic") })),
            ("topic failures", () => http.GetAsync("/ch08/messenger/kafka/failed")),
            ("topic feed", () => http.GetAsync("/ch08/messenger/sse/add", HttpCompletionOption.ResponseHeadersRead)),
            ("topic feed, token in the query", () => http.GetAsync("/ch08/messenger/sse/add?access_token=" + Secret("querytoken"), HttpCompletionOption.ResponseHeadersRead)),
            ("customer socket without upgrade", () => http.GetAsync("/ch08/customer/list/ws")),
            ("customer socket self-client", () => http.GetAsync("/ch08/customer/wsclient/list/")),
            ("docs page", () => http.GetAsync("/docs/v1")),
            ("docs script", () => http.GetAsync("/docs/scalar.js")),
            ("docs script", () => http.GetAsync("/docs/scalar.aspnetcore.js")),
            ("docs icon", () => http.GetAsync("/docs/favicon.svg")),
        })
        {
            await Call(route, sending());
        }

        Assert.Empty(Uncalled(web.Services, called));
        Assert.All(workloads, w => Assert.True(w.Status is >= HttpStatusCode.OK and < HttpStatusCode.InternalServerError, $"{w.Route}: {w.Status}"));
        // What a leak would carry: profile tokens and the key ring's master keys.
        _secrets.AddRange(ProfileKeys());
        Assert.NotEmpty(ProfileKeys());
        Assert.Equal(
            [HttpStatusCode.OK, HttpStatusCode.Conflict, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest,
             HttpStatusCode.UnsupportedMediaType, HttpStatusCode.RequestEntityTooLarge, HttpStatusCode.OK, HttpStatusCode.Unauthorized,
             HttpStatusCode.TooManyRequests, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.OK, HttpStatusCode.NotFound, HttpStatusCode.BadRequest],
            statuses.Take(15).Select(s => s.Status));
        Assert.All(statuses.Skip(16).Take(18), s => Assert.True(s.Status is HttpStatusCode.OK or HttpStatusCode.Conflict, $"{s.Route}: {s.Status}"));
        var lines = LogCapture.Shared.Lines.ToArray();
        Assert.Contains(lines, line => line.Contains("/ch08/login/verify", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, line => _secrets.Any(s => line.Contains(s, StringComparison.Ordinal)));
        Assert.DoesNotContain(lines, line => line.Contains("pbkdf2-sha256$", StringComparison.Ordinal));
    }

    /// <summary>
    /// Calls every workload route (with the admin's data to work on): each of them well, and those that
    /// take input badly too. The profile tokens handed out become secrets no log line may carry.
    /// </summary>
    private async Task<List<(string Route, HttpStatusCode Status)>> CallWorkloadRoutesAsync(HttpClient http, int adminId, Func<string, Task<HttpResponseMessage>, Task> call)
    {
        var answers = new List<(string Route, HttpStatusCode Status)>();
        async Task<string> Call(string route, Task<HttpResponseMessage> sending)
        {
            using var response = await sending;
            var text = await response.Content.ReadAsStringAsync();
            answers.Add((route, response.StatusCode));
            await call(route, Task.FromResult(response));
            return text;
        }

        var date = TestDates.Text(TestDates.Next());
        await Call("gather", http.GetAsync("/ch08/login/list/records"));
        await Call("billing pipeline", http.GetAsync("/ch08/admin/billing/all"));
        var profiles = JsonNode.Parse(await Call("encrypted profiles", http.GetAsync("/ch08/admin/login/list/enc")))!;
        var token = (string)profiles["profiles"]!.AsArray().First(p => (int)p!["admin_id"]! == adminId)!["token"]!;
        _secrets.Add(token);
        await Call("decrypt", http.PostAsync("/ch08/admin/login/dec", new JsonObject { ["token"] = token }));
        await Call("decrypt altered", http.PostAsync("/ch08/admin/login/dec", new JsonObject { ["token"] = token[..^4] + "AAAA" }));
        var job = JsonNode.Parse(await Call("billing sheet", http.PostAsync($"/ch08/billing/save/csv?billing_date={date}", null)))!;
        var jobId = (string)job["job_id"]!;
        await Call("billing sheet bad date", http.PostAsync("/ch08/billing/save/csv?billing_date=2024-02-30", null));
        await Call("job", http.GetAsync($"/ch08/billing/jobs/{jobId}?wait=10"));
        await Call("job file", http.GetAsync($"/ch08/billing/jobs/{jobId}/file"));
        await Call("job unknown", http.GetAsync($"/ch08/billing/jobs/{new string('0', 32)}"));
        await Call("payable total", http.PostAsync($"/ch08/billing/total/payable?billing_date={date}", null));
        await Call("quota", http.GetAsync("/ch08/sales/list/quota"));
        await Call("quota latest", http.GetAsync("/ch08/sales/quota/latest"));
        await Call("dated", http.PostAsync("/ch08/subscription/dated?min_date=2024-01-01&max_date=2024-12-31", null));
        await Call("dated reversed", http.PostAsync("/ch08/subscription/dated?min_date=2024-12-31&max_date=2024-01-01", null));
        await Call("monitor start", http.GetAsync("/ch08/subscription/monitor/total"));
        await Call("monitor status", http.GetAsync("/ch08/subscription/monitor"));
        await Call("monitor stop", http.DeleteAsync("/ch08/subscription/monitor"));
        await Call("feed bad topic", http.GetAsync("/ch08/notifications/sse?topic=nope"));
        using (var feed = await http.GetAsync("/ch08/notifications/sse?topic=jobs", HttpCompletionOption.ResponseHeadersRead))
        {
            answers.Add(("feed", feed.StatusCode));
            await call("feed", Task.FromResult(feed));
        }
        return answers;
    }

    /// <summary>Routes of the web client (from its endpoint data source) that <paramref name="called"/> does not reach.</summary>
    private static List<string> Uncalled(IServiceProvider services, HashSet<string> called)
    {
        var endpoints = services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();
        var uncalled = new List<string>();
        foreach (var endpoint in endpoints)
        {
            var pattern = "/" + endpoint.RoutePattern.RawText!.TrimStart('/');
            // Each route value ({job_id}, {documentName?}) stands for one path segment.
            var matcher = new Regex("^" + Regex.Replace(Regex.Escape(pattern), @"\\\{[^}]*}", "[^/]+") + "$");
            foreach (var method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
            {
                if (!called.Any(c => c.StartsWith(method + " ", StringComparison.Ordinal) && matcher.IsMatch(c[(method.Length + 1)..])))
                {
                    uncalled.Add($"{method} {pattern}");
                }
            }
        }
        return uncalled;
    }

    /// <summary>The master keys of the profile key ring (Data Protection XML in the database).</summary>
    private List<string> ProfileKeys()
    {
        using var db = fixture.OpenDatabase();
        return [.. db.ProfileKeys.Select(key => key.Xml).AsEnumerable()
            .SelectMany(xml => System.Xml.Linq.XDocument.Parse(xml).Descendants("value").Select(value => value.Value.Trim()))
            .Where(value => value.Length >= 32)];
    }

    private string Secret(string what)
    {
        var secret = $"{what}-secret-{Guid.NewGuid():N}";
        _secrets.Add(secret);
        return secret;
    }
}
