using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Microsoft.EntityFrameworkCore;
using Newsstand.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Newsstand.Tests.Api;

/// <summary>
/// Property-based: for every route the web client serves (found in its endpoint data source, described by
/// its OpenAPI document), generated query strings, route values, headers and bodies never get a 5xx; a
/// refused request gets problem+json (a 400 naming fields the route has, or <c>body</c>) and changes no
/// row in any table. A route added later (the messenger feed, WebSocket routes) is picked up by itself.
/// </summary>
[Collection(SqliteClusterDefinition.Name)]
public sealed class BadInputPropertyTests(ClusterFixture fixture, ITestOutputHelper output)
{
    // Bounded: about 45 routes x this many cases; the seed of a failing run is printed by CsCheck (CsCheck_Seed replays it).
    private const int CasesPerRoute = 40;

    // Kestrel's default request-line limit ("METHOD target HTTP/1.1\r\n"): a longer line is refused before the application sees it.
    private const int MaxRequestLine = 8 * 1024;

    // Generated bodies reach validation rather than the abuse limits.
    private static readonly (string, string)[] Unlimited =
        [.. new[] { "VerifyPerUsername", "VerifyPerAddress", "AddPerUsername", "AddPerAddress" }.Select(limit => ($"AbuseLimits:{limit}:Permits", "1000000"))];

    [Fact]
    public async Task NoGeneratedRequestToAnyRouteGetsA5xxAndEveryRefusalIsAProblemThatChangesNothing()
    {
        // Real Kestrel: what a client on the network meets, Kestrel's own limits included.
        await using var web = KestrelWebClient.Start(fixture.CreateWebClient(Unlimited));
        using var http = web.CreateClient();
        http.Timeout = TimeSpan.FromSeconds(30);
        var routes = await RouteCatalog.DiscoverAsync(web.Services, http);
        Assert.Contains(routes, r => r.Pattern == "/ch08/vendor/add" && r.Body is { Fields.Count: 9 });
        Assert.Contains(routes, r => r.Pattern == "/ch08/billing/jobs/{job_id}" && r.RouteParameters.Contains("job_id"));
        Assert.All(routes.Where(r => r.Pattern.StartsWith("/ch08/", StringComparison.Ordinal)), r => Assert.True(r.Documented, $"{r} is not in the OpenAPI document"));

        var tally = new Dictionary<string, SortedDictionary<int, int>>();
        foreach (var route in routes)
        {
            var statuses = tally[route.ToString()] = [];
            await BadRequests.For(route).SampleAsync(async request =>
            {
                var status = await CheckAsync(http, request);
                statuses[status] = statuses.GetValueOrDefault(status) + 1;
            }, iter: CasesPerRoute, threads: 1, print: request => request.ToString());
        }

        foreach (var (route, statuses) in tally)
        {
            output.WriteLine($"{route}: {string.Join(", ", statuses.Select(s => $"{s.Key}x{s.Value}"))}");
        }
        // Every route that takes input refused some of what was generated (the generators reach the validation).
        Assert.All(routes.Where(r => r.Body is not null || r.Query.Count > 0),
            r => Assert.True(tally[r.ToString()].Keys.Any(status => status is >= 400 and < 500), $"{r} refused nothing"));
    }

    private async Task<int> CheckAsync(HttpClient http, GeneratedRequest request)
    {
        var before = await CountRowsAsync();
        using var message = new HttpRequestMessage(new HttpMethod(request.Route.Method), request.PathAndQuery);
        if (request.Body is { } body)
        {
            message.Content = new ByteArrayContent(body);
            if (request.ContentType is { } type)
            {
                message.Content.Headers.TryAddWithoutValidation("Content-Type", type);
            }
        }
        if (request.LastEventId is { } lastEventId)
        {
            message.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        }
        // Streams (server-sent events) are judged by their headers; everything else is read whole.
        using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead);
        var status = (int)response.StatusCode;
        Assert.True(status < 500, $"{status} for {request}: {await ReadAsync(response)}");
        Assert.True(!request.MustBeRefused || status is >= 400 and < 500, $"{status} for {request}: {await ReadAsync(response)}");
        if (RefusedByKestrel(request, response))
        {
            return status;
        }
        if (status >= 400)
        {
            Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", $"{status} for {request} is no problem+json");
            if (request.Route.Method == "HEAD")
            {
                // The same answer as GET, without its body.
                return await ExpectNoChangeAsync(before, status, request);
            }
            var text = await ReadAsync(response);
            Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
            var problem = JsonNode.Parse(text)!.AsObject();
            Assert.Equal(status, (int?)problem["status"]);
            if (status is 400 or 413 or 415)
            {
                var named = problem["errors"]?.AsObject().Select(e => e.Key).ToList() ?? [];
                Assert.True(named.Count > 0 && named.All(request.Route.Nameable.Contains),
                    $"{status} for {request} names [{string.Join(", ", named)}], not fields of {request.Route}: {text}");
            }
            return await ExpectNoChangeAsync(before, status, request);
        }
        return status;
    }

    private async Task<int> ExpectNoChangeAsync(KeyValuePair<string, long>[] before, int status, GeneratedRequest request)
    {
        var after = await CountRowsAsync();
        Assert.True(before.SequenceEqual(after), $"{status} for {request} changed rows: {Describe(before)} -> {Describe(after)}");
        return status;
    }

    /// <summary>
    /// Requests HTTP parsing refuses before any middleware runs (a NUL in the path, a request target over
    /// Kestrel's limit): Kestrel answers them itself, 400 or 414 with no body, and closes the connection.
    /// </summary>
    private static bool RefusedByKestrel(GeneratedRequest request, HttpResponseMessage response)
    {
        var path = request.PathAndQuery.Split('?')[0];
        var cannotParse = path.Contains("%00", StringComparison.Ordinal) || request.Route.Method.Length + 1 + request.PathAndQuery.Length + " HTTP/1.1\r\n".Length > MaxRequestLine;
        return cannotParse && (int)response.StatusCode is 400 or 414 && response.Content.Headers.ContentLength == 0 && response.Headers.ConnectionClose == true;
    }

    private static async Task<string> ReadAsync(HttpResponseMessage response) =>
        response.Content.Headers.ContentType?.MediaType == "text/event-stream" ? "(event stream)" : await response.Content.ReadAsStringAsync();

    /// <summary>
    /// Tables written in the background by work an earlier request started: the topic's consumers, whenever an
    /// accepted send is consumed, and a billing job, whose sheet parts follow its 202: a rejected request cannot be
    /// judged by them. (The topic's log itself, <c>topic_message</c>, and the job rows, <c>billing_job</c>, are still
    /// counted: only an accepted request adds to them, before its answer.)
    /// </summary>
    private static readonly string[] WrittenInBackground = ["messenger", "topic_checkpoint", "topic_failure", "billing_sheet_part"];

    /// <summary>Rows of every table of the model (records, workloads, topic log), in one statement.</summary>
    private async Task<KeyValuePair<string, long>[]> CountRowsAsync()
    {
        await using var db = fixture.OpenDatabase();
        var tables = db.Model.GetEntityTypes().Select(e => e.GetTableName()!).Except(WrittenInBackground).Distinct().Order(StringComparer.Ordinal).ToArray();
        await db.Database.OpenConnectionAsync();
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = "SELECT " + string.Join(", ", tables.Select(t => $"(SELECT COUNT(*) FROM \"{t}\")"));
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return [.. tables.Select((table, i) => KeyValuePair.Create(table, reader.GetInt64(i)))];
    }

    private static string Describe(KeyValuePair<string, long>[] counts) => JsonSerializer.Serialize(counts.ToDictionary());
}
