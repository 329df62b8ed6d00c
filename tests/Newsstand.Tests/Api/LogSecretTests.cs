using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Api;

/// <summary>
/// Every route, answered well and badly, with secrets in passwords and in credential headers: no log
/// line of the silo (Debug and up) or of this web client (Trace and up) may carry any of them, nor a hash.
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
        async Task Call(string route, Task<HttpResponseMessage> sending)
        {
            using var response = await sending;
            statuses.Add((route, response.StatusCode));
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
        foreach (var path in new[] { "/health/live", "/health/ready", "/openapi/v1.json", "/docs", "/ch08/no/such/route" })
        {
            await Call(path, http.GetAsync(path));
        }

        Assert.Equal(
            [HttpStatusCode.OK, HttpStatusCode.Conflict, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest,
             HttpStatusCode.UnsupportedMediaType, HttpStatusCode.RequestEntityTooLarge, HttpStatusCode.OK, HttpStatusCode.Unauthorized,
             HttpStatusCode.TooManyRequests, HttpStatusCode.Unauthorized, HttpStatusCode.OK, HttpStatusCode.NotFound, HttpStatusCode.BadRequest],
            statuses.Take(14).Select(s => s.Status));
        Assert.All(statuses.Skip(15).Take(18), s => Assert.True(s.Status is HttpStatusCode.OK or HttpStatusCode.Conflict, $"{s.Route}: {s.Status}"));
        var lines = LogCapture.Shared.Lines.ToArray();
        Assert.Contains(lines, line => line.Contains("/ch08/login/verify", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, line => _secrets.Any(s => line.Contains(s, StringComparison.Ordinal)));
        Assert.DoesNotContain(lines, line => line.Contains("pbkdf2-sha256$", StringComparison.Ordinal));
    }

    private string Secret(string what)
    {
        var secret = $"{what}-secret-{Guid.NewGuid():N}";
        _secrets.Add(secret);
        return secret;
    }
}
