using System.Net;
using System.Text.Json.Nodes;
using Newsstand.Grains;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Api;

/// <summary>The notifications feed and HTTP/2, against the web client on real Kestrel sockets.</summary>
[Collection(SqliteClusterDefinition.Name)]
public sealed class NotificationFeedTests(ClusterFixture fixture)
{
    [Fact]
    public async Task TheFeedDeliversTheMonitorsTotalsToAClientOverASocket()
    {
        await using var server = RealWebClient.Start(fixture);
        using var http = server.Http();
        var monitor = fixture.Grains.GetGrain<ISubscriptionMonitorGrain>(0);
        await monitor.StartAsync();
        try
        {
            using var response = await http.GetAsync("/ch08/notifications/sse?topic=monitor", HttpCompletionOption.ResponseHeadersRead);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            var first = await ReadEventAsync(reader);
            var second = await ReadEventAsync(reader);
            Assert.Equal(("monitor.total", "monitor.total"), (first["event"], second["event"]));
            Assert.NotEqual(first["id"], second["id"]);
            var data = JsonNode.Parse(second["data"])!;
            Assert.True((bool)data["running"]!);
            Assert.Equal(ClusterFixture.MonitorPeriod.TotalSeconds, (double)data["period_seconds"]!);
            Assert.NotNull(data["latest_total"]);
        }
        finally
        {
            await monitor.StopAsync();
        }
    }

    [Fact]
    public async Task AnUnknownTopicIsRejectedBeforeTheStreamStarts()
    {
        await using var server = RealWebClient.Start(fixture);
        using var http = server.Http();

        using var response = await http.GetAsync("/ch08/notifications/sse?topic=weather", HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull((await Bodies.ProblemAsync(response))["errors"]!["topic"]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task TheWebClientAnswersHttp2OverTlsAndWithoutIt(bool tls)
    {
        await using var server = RealWebClient.Start(fixture);
        using var http = server.Http2(tls);

        using var response = await http.GetAsync("/ch08/login/list/records");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.NotNull(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["num_rec"]);
    }

    [Fact]
    public async Task ThePlainUrlStillServesHttp11()
    {
        await using var server = RealWebClient.Start(fixture);
        using var http = server.Http();

        using var response = await http.GetAsync("/health/live");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpVersion.Version11, response.Version);
    }

    /// <summary>The fields of the next event (heartbeat comments skipped); at most 30 s.</summary>
    private static async Task<Dictionary<string, string>> ReadEventAsync(StreamReader reader)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var fields = new Dictionary<string, string>();
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.Length == 0 && fields.Count > 0)
            {
                return fields;
            }
            if (line.StartsWith(':') || line.Length == 0)
            {
                continue;
            }
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var (name, value) = (line[..colon], line[(colon + 1)..].TrimStart());
            fields[name] = fields.TryGetValue(name, out var earlier) ? earlier + "\n" + value : value;
        }
        throw new EndOfStreamException("The feed ended.");
    }
}
