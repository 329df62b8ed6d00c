using System.Net;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Tokens;
using Newsstand.Api.Streaming;
using Newsstand.Tests.Api;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Access;

/// <summary>
/// Feeds and the customer socket over real connections, signed in with <c>access_token</c> in the query as a browser
/// does: they end when the token expires (the web client's clock is fake), and the token never reaches a log line.
/// </summary>
[Collection(AccessClusterDefinition.Name)]
public sealed class LongLivedAccessTests(AccessClusterFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);

    [Theory]
    [InlineData("/ch08/messenger/sse/add")]
    [InlineData("/ch08/notifications/sse?topic=quota")]
    public async Task AFeedEndsItsAnswerWhenItsTokenExpires(string path)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var web = Start(clock);
        var token = await fixture.AdminTokenAsync();
        using var http = web.CreateClient();

        using var response = await http.GetAsync($"{path}{(path.Contains('?') ? '&' : '?')}access_token={token}", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var body = await response.Content.ReadAsStreamAsync();
        var reading = new StreamReader(body).ReadToEndAsync();
        await JoinedItsStreamAsync(web);

        // A minute before expiry the feed is still open.
        var expires = ExpiryOf(token);
        clock.SetUtcNow(expires - TimeSpan.FromMinutes(1));
        Assert.NotSame(reading, await Task.WhenAny(reading, Task.Delay(TimeSpan.FromMilliseconds(500))));

        clock.SetUtcNow(expires + TimeSpan.FromSeconds(1));
        await reading.WaitAsync(Patience);
        AssertNeverLogged(token);
    }

    [Fact]
    public async Task ASocketWhoseTokenExpiresClosesWith1008BeforeTheNextRecord()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        // The acknowledgement wait (fake time too) must not be what closes the socket when the clock jumps.
        await using var web = Start(clock, ("CustomerSockets:AckTimeout", "01:00:00"));
        var admin = await fixture.AdminTokenAsync();
        var owner = await fixture.NewUserAsync();
        using (var http = fixture.As(admin))
        {
            for (var i = 0; i < 3; i++)
            {
                await http.AddAsync("customer", Bodies.Customer(Ids.Next(), owner.Id));
            }
        }
        var token = await fixture.AdminTokenAsync();
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new UriBuilder(web.Socket("/ch08/customer/list/ws")) { Query = "access_token=" + token }.Uri, CancellationToken.None).WaitAsync(Patience);

        var first = JsonNode.Parse((await CustomerSocketTests.ReceiveAsync(socket))!)!;
        var expires = ExpiryOf(token);
        clock.SetUtcNow(expires - TimeSpan.FromMinutes(1));
        await CustomerSocketTests.SendAsync(socket, $"{{\"rec_id\": {(int)first["id"]!}}}");
        var second = JsonNode.Parse((await CustomerSocketTests.ReceiveAsync(socket))!)!;

        clock.SetUtcNow(expires + TimeSpan.FromSeconds(1));
        await CustomerSocketTests.SendAsync(socket, $"{{\"rec_id\": {(int)second["id"]!}}}");
        Assert.Null(await CustomerSocketTests.ReceiveAsync(socket));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, socket.CloseStatus);
        Assert.Contains("access token expired", socket.CloseStatusDescription, StringComparison.Ordinal);
        AssertNeverLogged(token);
    }

    /// <summary>
    /// When <paramref name="token"/> expires (its <c>exp</c>, about <see cref="Lifetime"/> after it was issued). The fake clock
    /// starts before the web client and the sign-in, which take real time (seconds on a cold start): a test that moved
    /// the clock by <see cref="Lifetime"/> from its start would land before or after the expiry depending on that time.
    /// </summary>
    private static DateTimeOffset ExpiryOf(string token)
    {
        var expires = DateTimeOffset.FromUnixTimeSeconds((long)JsonNode.Parse(Base64UrlEncoder.Decode(token.Split('.')[1]))!["exp"]!);
        Assert.InRange(expires - DateTimeOffset.UtcNow, Lifetime - TimeSpan.FromMinutes(1), Lifetime);
        return expires;
    }

    /// <summary>
    /// Waits until the feed holds its stream subscription (the notifications feed subscribes after its answer began). The
    /// web client's Orleans client times its calls on the same fake clock: a subscription still in flight when the clock
    /// jumps would time out at once and end the feed early, which no real clock does.
    /// </summary>
    private static async Task JoinedItsStreamAsync(KestrelWebClient web)
    {
        var subscriptions = web.Services.GetRequiredService<StreamSubscriptions>();
        using var patience = new CancellationTokenSource(Patience);
        while (subscriptions.Subscriptions == 0)
        {
            await Task.Delay(20, patience.Token);
        }
    }

    /// <summary>The real web client on Kestrel in Required mode, on <paramref name="clock"/>, logging everything (Trace).</summary>
    private KestrelWebClient Start(TimeProvider clock, params (string Key, string Value)[] settings) =>
        KestrelWebClient.Start(fixture.CreateWebClient([.. AccessClusterFixture.RequiredSettings, .. settings])
            .WithWebHostBuilder(host => host
                .ConfigureServices(services => services.AddSingleton(clock))
                .ConfigureLogging(logging => logging.AddFilter<LogCapture>(null, LogLevel.Trace))));

    /// <summary>Neither the token nor its signature (the part that makes it usable) is in any log line.</summary>
    private static void AssertNeverLogged(string token)
    {
        var signature = token.Split('.')[2];
        Assert.True(signature.Length > 40 && Base64UrlEncoder.DecodeBytes(signature).Length == 64);
        Assert.DoesNotContain(LogCapture.Shared.Lines, line => line.Contains(signature, StringComparison.Ordinal));
        Assert.Contains(LogCapture.Shared.Lines, line => line.Contains("/ch08/", StringComparison.Ordinal));
    }
}
