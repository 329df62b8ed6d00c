using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Newsstand.Api.Sockets;
using Newsstand.Grains;
using Newsstand.Records;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Api;

/// <summary>The customer-list WebSocket protocol over real sockets, and the service as a client of its own socket.</summary>
[Collection(SqliteClusterDefinition.Name)]
public sealed class CustomerSocketTests(ClusterFixture fixture)
{
    private const string SocketPath = "/ch08/customer/list/ws";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task APlainRequestIsToldToUpgradeToWebSocket()
    {
        using var response = await fixture.Http.GetAsync(SocketPath);

        Assert.Equal(HttpStatusCode.UpgradeRequired, response.StatusCode);
        Assert.Equal("websocket", response.Headers.Upgrade.Single().Name);
        await Bodies.ProblemAsync(response);
    }

    [Fact]
    public async Task AStoppingServiceClosesAWaitingSocketWithGoingAway()
    {
        await AddCustomersAsync(1);
        var web = fixture.CreateKestrelClient();
        using var socket = await ConnectAsync(web);
        Assert.NotNull(await ReceiveAsync(socket));

        // The client never acknowledges: only the shutdown can end this walk before the 30 s timeout.
        var stopping = web.DisposeAsync().AsTask();

        Assert.Null(await ReceiveAsync(socket));
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, socket.CloseStatus);
        await stopping.WaitAsync(Patience);
    }

    [Fact]
    public async Task EveryCustomerIsSentInIdOrderAndEachWaitsForItsAcknowledgement()
    {
        var mine = await AddCustomersAsync(3);
        await using var web = fixture.CreateKestrelClient();
        var total = await fixture.Grains.TableIndex<CustomerRecord>().CountAsync();
        using var socket = await ConnectAsync(web);

        var received = new List<int>();
        while (await ReceiveAsync(socket) is { } message)
        {
            var customer = JsonNode.Parse(message)!;
            received.Add((int)customer["id"]!);
            Assert.NotNull(customer["date_subscribed"]);
            await SendAsync(socket, $"{{\"rec_id\": {received[^1]}}}");
        }

        Assert.Equal(WebSocketCloseStatus.NormalClosure, socket.CloseStatus);
        Assert.Equal(total, received.Count);
        Assert.Equal(received.Order(), received);
        Assert.Subset(received.ToHashSet(), mine.ToHashSet());
    }

    [Theory]
    [InlineData("{\"rec_id\": -1}", "Wrong acknowledgement")]
    [InlineData("{\"record\": 1}", "Malformed acknowledgement")]
    [InlineData("thanks", "Malformed acknowledgement")]
    public async Task AWrongOrMalformedAcknowledgementClosesWithPolicyViolation(string ack, string reason)
    {
        await AddCustomersAsync(2);
        await using var web = fixture.CreateKestrelClient();
        using var socket = await ConnectAsync(web);

        Assert.NotNull(await ReceiveAsync(socket));
        await SendAsync(socket, ack);

        Assert.Null(await ReceiveAsync(socket));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, socket.CloseStatus);
        Assert.StartsWith(reason, socket.CloseStatusDescription);
    }

    [Fact]
    public async Task AMessageOverFourKibibytesIsRefused()
    {
        await AddCustomersAsync(1);
        await using var web = fixture.CreateKestrelClient();
        using var socket = await ConnectAsync(web);

        var first = JsonNode.Parse((await ReceiveAsync(socket))!)!;
        await SendAsync(socket, $"{{\"rec_id\": {(int)first["id"]!}, \"pad\": \"{new string('x', CustomerListSocket.MaxMessageBytes)}\"}}");

        Assert.Null(await ReceiveAsync(socket));
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, socket.CloseStatus);
    }

    [Fact]
    public async Task AClientThatNeverAcknowledgesIsTimedOut()
    {
        await AddCustomersAsync(1);
        var time = new WatchedTime();
        await using var web = KestrelWebClient.Start(fixture.CreateWebClient(("CustomerSockets:AckTimeout", "00:00:07"))
            .WithWebHostBuilder(host => host.ConfigureServices(services =>
                services.AddSingleton(provider => ActivatorUtilities.CreateInstance<CustomerListSocket>(provider, (TimeProvider)time)))));
        using var socket = await ConnectAsync(web);

        Assert.NotNull(await ReceiveAsync(socket));
        await time.TimerSetAsync(TimeSpan.FromSeconds(7));
        time.Advance(TimeSpan.FromSeconds(7));

        Assert.Null(await ReceiveAsync(socket));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, socket.CloseStatus);
        Assert.Contains("within 7 s", socket.CloseStatusDescription, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AClientThatVanishesMidWalkLeavesNothingBehind()
    {
        await AddCustomersAsync(2);
        await using var web = fixture.CreateKestrelClient();
        var sockets = web.Services.GetRequiredService<CustomerListSocket>();
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        sockets.SessionEnded += () => ended.TrySetResult();
        var socket = await ConnectAsync(web);
        Assert.NotNull(await ReceiveAsync(socket));
        Assert.Equal(1, sockets.Sessions);

        socket.Abort();
        socket.Dispose();

        await ended.Task.WaitAsync(Patience);
        Assert.Equal(0, sockets.Sessions);
    }

    [Fact]
    public async Task OnlyConfiguredOriginsMayOpenTheSocket()
    {
        await using var web = fixture.CreateKestrelClient(("CustomerSockets:AllowedOrigins:0", "https://portal.example"));

        var refused = await Assert.ThrowsAsync<WebSocketException>(() => ConnectAsync(web, "https://elsewhere.example"));
        using var allowed = await ConnectAsync(web, "https://portal.example");

        Assert.Contains("403", refused.Message, StringComparison.Ordinal);
        Assert.Equal(WebSocketState.Open, allowed.State);
    }

    [Fact]
    public async Task WithoutConfiguredOriginsOnlyTheServicesOwnPagesAndNonBrowserClientsMayOpenTheSocket()
    {
        await using var web = fixture.CreateKestrelClient();
        var own = web.Address.GetLeftPart(UriPartial.Authority);

        var elsewhere = await Assert.ThrowsAsync<WebSocketException>(() => ConnectAsync(web, "https://elsewhere.example"));
        var otherScheme = await Assert.ThrowsAsync<WebSocketException>(() => ConnectAsync(web, own.Replace("http://", "https://", StringComparison.Ordinal)));
        var sandboxed = await Assert.ThrowsAsync<WebSocketException>(() => ConnectAsync(web, "null"));
        using var ownPage = await ConnectAsync(web, own.ToUpperInvariant());
        using var noBrowser = await ConnectAsync(web);

        Assert.All([elsewhere, otherScheme, sandboxed], refused => Assert.Contains("403", refused.Message, StringComparison.Ordinal));
        Assert.Equal((WebSocketState.Open, WebSocketState.Open), (ownPage.State, noBrowser.State));
    }

    [Fact]
    public async Task BehindATrustedTlsProxyTheOwnOriginIsTheHttpsOne()
    {
        var proxy = KestrelWebClient.FreshLoopbackAddress();
        await using var web = fixture.CreateKestrelClient(("ForwardedHeaders:KnownProxies:0", proxy.ToString()));
        var page = new UriBuilder(web.Address) { Scheme = "https" }.Uri.GetLeftPart(UriPartial.Authority);
        using var throughProxy = web.CreateClient(proxy);
        using var direct = web.CreateClient(KestrelWebClient.FreshLoopbackAddress());

        using var allowed = await ConnectAsync(web, page, throughProxy, forwardedProto: "https");
        var refused = await Assert.ThrowsAsync<WebSocketException>(() => ConnectAsync(web, page, direct, forwardedProto: "https"));

        Assert.Equal(WebSocketState.Open, allowed.State);
        Assert.Contains("403", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheServiceWalksItsOwnSocketAndCountsTheCustomers()
    {
        await AddCustomersAsync(2);
        await using var web = fixture.CreateKestrelClient();
        var total = await fixture.Grains.TableIndex<CustomerRecord>().CountAsync();

        var answer = JsonNode.Parse(await web.Http.GetStringAsync("/ch08/customer/wsclient/list/"))!;

        Assert.Equal("done", (string)answer["message"]!);
        Assert.Equal(total, (long)answer["received"]!);
    }

    [Fact]
    public async Task AnUnreachableOwnSocketAnswers503()
    {
        using var closed = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        await using var web = fixture.CreateKestrelClient(("CustomerSockets:SelfBaseUrl", $"http://127.0.0.1:{port}"));

        using var response = await web.Http.GetAsync("/ch08/customer/wsclient/list/");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("could not be reached", (string)(await Bodies.ProblemAsync(response))["detail"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnOwnSocketThatClosesAbnormallyAnswers502()
    {
        await using var broken = await BrokenSocketServer.StartAsync();
        await using var web = fixture.CreateKestrelClient(("CustomerSockets:SelfBaseUrl", broken.BaseAddress));

        using var response = await web.Http.GetAsync("/ch08/customer/wsclient/list/");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("closed with 1011", (string)(await Bodies.ProblemAsync(response))["detail"]!, StringComparison.Ordinal);
    }

    private async Task<int[]> AddCustomersAsync(int count)
    {
        var loginId = Ids.Next();
        await fixture.Http.AddAsync("login", Bodies.Login(loginId));
        var ids = Enumerable.Range(0, count).Select(_ => Ids.Next()).ToArray();
        foreach (var id in ids)
        {
            await fixture.Http.AddAsync("customer", Bodies.Customer(id, loginId));
        }
        return ids;
    }

    /// <summary>A socket to <paramref name="web"/>, sent with <paramref name="origin"/> (as a browser page would) through <paramref name="invoker"/> if given.</summary>
    private static async Task<ClientWebSocket> ConnectAsync(KestrelWebClient web, string? origin = null, HttpMessageInvoker? invoker = null, string? forwardedProto = null)
    {
        var socket = new ClientWebSocket();
        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }
        if (forwardedProto is not null)
        {
            socket.Options.SetRequestHeader("X-Forwarded-Proto", forwardedProto);
        }
        await socket.ConnectAsync(web.Socket(SocketPath), invoker, CancellationToken.None).WaitAsync(Patience);
        return socket;
    }

    internal static Task SendAsync(ClientWebSocket socket, string text) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None).WaitAsync(Patience);

    /// <summary>The next text message, or null once the server closed (the close handshake is completed).</summary>
    internal static async Task<string?> ReceiveAsync(ClientWebSocket socket)
    {
        var buffer = new byte[64 * 1024];
        var filled = 0;
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(new ArraySegment<byte>(buffer, filled, buffer.Length - filled), CancellationToken.None).WaitAsync(Patience);
            filled += result.Count;
        }
        while (!result.EndOfMessage);
        if (result.MessageType == WebSocketMessageType.Close)
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None).WaitAsync(Patience);
            return null;
        }
        return Encoding.UTF8.GetString(buffer, 0, filled);
    }

    /// <summary>Fake time that tells the test when a timer of a given length has been set, so the clock moves only after it.</summary>
    private sealed class WatchedTime : FakeTimeProvider
    {
        private readonly List<(TimeSpan Due, TaskCompletionSource Set)> _watches = [];
        private readonly List<TimeSpan> _set = [];

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            lock (_watches)
            {
                _set.Add(dueTime);
                foreach (var watch in _watches.Where(w => w.Due == dueTime))
                {
                    watch.Set.TrySetResult();
                }
            }
            return timer;
        }

        public Task TimerSetAsync(TimeSpan due)
        {
            var set = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_watches)
            {
                if (_set.Contains(due))
                {
                    return Task.CompletedTask;
                }
                _watches.Add((due, set));
            }
            return set.Task.WaitAsync(Patience);
        }
    }

    /// <summary>A socket endpoint at the customer list's path that accepts and closes at once with 1011.</summary>
    private sealed class BrokenSocketServer : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private BrokenSocketServer(WebApplication app) => _app = app;

        public string BaseAddress => _app.Urls.First();

        public static async Task<BrokenSocketServer> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            app.UseWebSockets();
            app.Map(SocketPath, async context =>
            {
                using var socket = await context.WebSockets.AcceptWebSocketAsync();
                await socket.CloseAsync(WebSocketCloseStatus.InternalServerError, "broken on purpose", context.RequestAborted);
            });
            await app.StartAsync();
            return new BrokenSocketServer(app);
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
