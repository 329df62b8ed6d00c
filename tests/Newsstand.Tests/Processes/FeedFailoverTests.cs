using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Newsstand.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Newsstand.Tests.Processes;

/// <summary>
/// A live messenger feed cannot go silent when a silo dies: two silo processes on Redis and PostgreSQL, a feed
/// open on the web client, the silo hosting the feed's stream (its pub-sub) killed while messages are sent; the
/// feed then receives every acknowledged message, each once, also those whose live delivery died with the silo.
/// </summary>
[Collection(ProcessTestsDefinition.Name)]
public sealed class FeedFailoverTests(ITestOutputHelper output)
{
    private const int BeforeKill = 20;
    private const int AfterKill = 40;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static readonly Dictionary<string, string> Settings = new()
    {
        ["Orleans__Membership__NumVotesForDeathDeclaration"] = "1",
        ["Logging__LogLevel__Orleans.Runtime.MembershipService"] = "Information",
        // Readers compare their position with the log every second.
        ["LongLived__FeedCheckInterval"] = "00:00:01",
    };

    [Fact]
    public async Task AnOpenFeedReceivesEveryAcknowledgedMessageOnceWhenTheSiloHoldingItsStreamDies()
    {
        await using var cluster = await ProcessCluster.StartAsync(silos: 2, environment: Settings);
        await using var management = await ManagementClient.ConnectAsync(cluster);
        using var http = new HttpClient { BaseAddress = cluster.ClientUrl, Timeout = TimeSpan.FromSeconds(20) };
        var (_, vendor) = await http.AddLoginAndVendorAsync();
        await management.ReplaceIdleActivationsAsync();
        await using var feed = await ResumingFeed.OpenAsync(http);
        var received = new List<int>();
        var acknowledged = new HashSet<int>();
        var firstId = 700_000 + Random.Shared.Next(90_000);

        await SendAsync(http, vendor, firstId, BeforeKill, acknowledged);
        await ReadUntilAsync(feed, received, acknowledged);
        var hosts = await management.PortsHostingAsync("PubSubRendezvous", ProviderNames.ConsumedMessages);
        var victim = cluster.Silos.FirstOrDefault(silo => hosts.Contains(silo.SiloPort)) ?? cluster.Silos[^1];
        var survivor = cluster.Silos.Single(silo => silo != victim);
        output.WriteLine($"The feed's stream rendezvous is on {string.Join(", ", hosts)}; killing {victim.Name} (silo port {victim.SiloPort}).");
        victim.Host.Kill();
        await SendAsync(http, vendor, firstId + BeforeKill, AfterKill, acknowledged);
        await survivor.Host.WaitForLineAsync(line => line.Contains("Evicting '", StringComparison.Ordinal), Patience);
        await ReadUntilAsync(feed, received, acknowledged);

        output.WriteLine($"Acknowledged {acknowledged.Count} of {BeforeKill + AfterKill}; the feed received {received.Count} events and was resumed {feed.Resumptions} times.");
        Assert.True(acknowledged.Count >= BeforeKill + (AfterKill / 2), $"Only {acknowledged.Count} sends were acknowledged.");
        Assert.Empty(acknowledged.Except(received));
        Assert.Equal(received.Count, received.Distinct().Count());
    }

    /// <summary>Sends <paramref name="count"/> messengers; a send the cluster could not acknowledge (503 while a silo is dying) is tried again.</summary>
    private static async Task SendAsync(HttpClient http, int vendor, int firstId, int count, HashSet<int> acknowledged)
    {
        for (var id = firstId; id < firstId + count; id++)
        {
            for (var attempt = 0; attempt < 10 && !acknowledged.Contains(id); attempt++)
            {
                try
                {
                    using var sent = await http.PostAsync("/ch08/messenger/kafka/send", JsonContent.Create(Bodies.Messenger(id, vendor)));
                    if (sent.IsSuccessStatusCode)
                    {
                        acknowledged.Add(id);
                    }
                }
                catch (TaskCanceledException)
                {
                    // The call waited out the client's timeout on the dead silo: its outcome is unknown; try again.
                }
            }
        }
    }

    /// <summary>Reads events until every acknowledged id has arrived (or the reader's patience ends the test).</summary>
    private static async Task ReadUntilAsync(ResumingFeed feed, List<int> received, HashSet<int> acknowledged)
    {
        while (!acknowledged.IsSubsetOf(received))
        {
            var next = await feed.NextAsync();
            received.Add((int)JsonNode.Parse(next.Data)!["messenger"]!["id"]!);
        }
    }

    /// <summary>The messenger feed read as a browser's EventSource reads it: when the answer ends, it reconnects with the last event's id.</summary>
    private sealed class ResumingFeed(HttpClient http, SseReader reader) : IAsyncDisposable
    {
        private SseReader _reader = reader;
        private string? _lastEventId;

        public int Resumptions { get; private set; }

        public static async Task<ResumingFeed> OpenAsync(HttpClient http) => new(http, await SseReader.OpenAsync(http, "/ch08/messenger/sse/add"));

        public async Task<SseEvent> NextAsync()
        {
            while (true)
            {
                try
                {
                    var next = await _reader.NextAsync();
                    _lastEventId = next.Id;
                    return next;
                }
                // An answer that ends cleanly is resumed; a broken one (cut mid-stream) fails the test.
                catch (EndOfStreamException) when (_lastEventId is not null)
                {
                    await _reader.DisposeAsync();
                    _reader = await SseReader.OpenAsync(http, "/ch08/messenger/sse/add", _lastEventId);
                    Resumptions++;
                }
            }
        }

        public ValueTask DisposeAsync() => _reader.DisposeAsync();
    }
}
