using System.Net;
using System.Text.Json.Nodes;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Api;

/// <summary>
/// <c>X-Forwarded-For</c> names the client only when a configured proxy sent it: the per-address abuse limit
/// (6 verifies per address on the edge settings) and its log line count the forwarded address then, and the
/// connection's own address otherwise. Real Kestrel, connections from distinct loopback addresses.
/// </summary>
[Collection(SqliteClusterDefinition.Name)]
public sealed class ForwardedHeadersTests(ClusterFixture fixture)
{
    private const int PerAddress = 6;

    [Fact]
    public async Task AKnownProxysForwardedAddressIsTheClientAddress()
    {
        var proxy = KestrelWebClient.FreshLoopbackAddress();
        await using var web = fixture.CreateKestrelClient([.. ClusterFixture.EdgeSettings, ("ForwardedHeaders:KnownProxies:0", proxy.ToString())]);
        using var http = web.CreateClient(proxy);
        var client = Elsewhere(Ids.Next());

        // More clients than one address may send behind the one proxy: each has a window of its own.
        var many = await AttemptsAsync(http, PerAddress + 1, _ => Elsewhere(Ids.Next()));
        // One client behind it: limited after its own attempts, and the log names it.
        var one = await AttemptsAsync(http, PerAddress + 1, _ => client);

        Assert.All(many, status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        Assert.All(one[..PerAddress], status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        Assert.Equal(HttpStatusCode.TooManyRequests, one[PerAddress]);
        AssertLimitLogged(client);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ForwardedHeadersFromAnyOtherSenderAreIgnored(bool proxiesConfigured)
    {
        var proxy = KestrelWebClient.FreshLoopbackAddress();
        var sender = KestrelWebClient.FreshLoopbackAddress();
        // Without configuration not even loopback (which ASP.NET Core's middleware trusts by default) is believed.
        (string, string)[] proxies = proxiesConfigured ? [("ForwardedHeaders:KnownNetworks:0", $"{proxy}/32")] : [];
        await using var web = fixture.CreateKestrelClient([.. ClusterFixture.EdgeSettings, .. proxies]);
        using var http = web.CreateClient(sender);

        // Every attempt claims another client; all count against the sender's own address.
        var attempts = await AttemptsAsync(http, PerAddress + 1, _ => Elsewhere(Ids.Next()));

        Assert.All(attempts[..PerAddress], status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        Assert.Equal(HttpStatusCode.TooManyRequests, attempts[PerAddress]);
        AssertLimitLogged(sender.ToString());
    }

    /// <summary>An address of 198.18.0.0/15 (reserved for network tests, RFC 2544) made from <paramref name="n"/>.</summary>
    private static string Elsewhere(int n) => $"198.{18 + ((n >> 16) & 1)}.{(n >> 8) & 0xff}.{n & 0xff}";

    private static async Task<HttpStatusCode[]> AttemptsAsync(HttpClient http, int count, Func<int, string> forwardedFor)
    {
        var statuses = new HttpStatusCode[count];
        for (var i = 0; i < count; i++)
        {
            // A fresh username each time: only the per-address window can refuse.
            using var request = new HttpRequestMessage(HttpMethod.Post, "/ch08/login/verify")
            {
                Content = System.Net.Http.Json.JsonContent.Create(new JsonObject { ["username"] = "forwarded-" + Ids.Next(), ["password"] = "guessed-password" }),
            };
            request.Headers.Add("X-Forwarded-For", forwardedFor(i));
            using var response = await http.SendAsync(request);
            statuses[i] = response.StatusCode;
        }
        return statuses;
    }

    private static void AssertLimitLogged(string address) =>
        Assert.Contains(LogCapture.Shared.Lines, line => line.Contains($"Rate limited /ch08/login/verify for a client at {address}.", StringComparison.Ordinal));
}
