using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Newsstand.Api.Hosting;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Api;

/// <summary>
/// Feeds and sockets are bounded: each holds a place for as long as it runs, per client address and in all;
/// beyond either cap the request is refused at once with 429 and Retry-After, and the place comes back when
/// the client leaves.
/// </summary>
[Collection(SqliteClusterDefinition.Name)]
public sealed class LongLivedConnectionTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task FeedsAndSocketsBeyondTheCapsAreRefusedAndAPlaceComesBackWhenAClientLeaves()
    {
        await using var web = fixture.CreateKestrelClient(("LongLived:PerAddress", "2"), ("LongLived:Total", "3"), ("LongLived:RetryAfter", "00:00:07"));
        var places = web.Services.GetRequiredService<LongLivedConnections>();
        var (first, second, third) = (KestrelWebClient.FreshLoopbackAddress(), KestrelWebClient.FreshLoopbackAddress(), KestrelWebClient.FreshLoopbackAddress());
        using var fromFirst = web.CreateClient(first);
        using var fromSecond = web.CreateClient(second);
        using var fromThird = web.CreateClient(third);

        var notifications = await OpenAsync(fromFirst, "/ch08/notifications/sse?topic=monitor");
        var messengers = await OpenAsync(fromFirst, "/ch08/messenger/sse/add");
        using var overAddress = await OpenAsync(fromFirst, "/ch08/notifications/sse?topic=jobs");
        var socketOverAddress = await ConnectSocketAsync(web, first);
        var otherAddress = await OpenAsync(fromSecond, "/ch08/notifications/sse?topic=quota");
        using var overTotal = await OpenAsync(fromThird, "/ch08/notifications/sse?topic=quota");

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK], [notifications.StatusCode, messengers.StatusCode, otherAddress.StatusCode]);
        await AssertRefusedAsync(overAddress);
        Assert.Equal(429, socketOverAddress);
        await AssertRefusedAsync(overTotal);
        Assert.Equal(3, places.Open);

        notifications.Dispose();
        await WaitUntilAsync(() => places.Open == 2);
        using var again = await OpenAsync(fromThird, "/ch08/notifications/sse?topic=monitor");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        messengers.Dispose();
        otherAddress.Dispose();
    }

    [Fact]
    public async Task KestrelHoldsNoMoreConnectionsThanConfigured()
    {
        await using var web = fixture.CreateKestrelClient(("ConnectionLimits:MaxConnections", "1234"), ("ConnectionLimits:MaxUpgradedConnections", "56"));

        var limits = web.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits;

        Assert.Equal((1234L, 56L), (limits.MaxConcurrentConnections, limits.MaxConcurrentUpgradedConnections));
    }

    private static Task<HttpResponseMessage> OpenAsync(HttpClient http, string path) =>
        http.SendAsync(new HttpRequestMessage(HttpMethod.Get, path), HttpCompletionOption.ResponseHeadersRead);

    private static async Task AssertRefusedAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("feeds and sockets", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>The status the socket route answered an upgrade request from <paramref name="from"/> with.</summary>
    private static async Task<int> ConnectSocketAsync(KestrelWebClient web, IPAddress from)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                tcp.Bind(new IPEndPoint(from, 0));
                await tcp.ConnectAsync(context.DnsEndPoint.Host, context.DnsEndPoint.Port, cancellationToken);
                return new NetworkStream(tcp, ownsSocket: true);
            },
        };
        try
        {
            await socket.ConnectAsync(web.Socket("/ch08/customer/list/ws"), new HttpMessageInvoker(handler), CancellationToken.None);
            return 101;
        }
        catch (WebSocketException)
        {
            return (int)socket.HttpStatusCode;
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var patience = new CancellationTokenSource(Patience);
        while (!condition())
        {
            await Task.Delay(20, patience.Token);
        }
    }
}
