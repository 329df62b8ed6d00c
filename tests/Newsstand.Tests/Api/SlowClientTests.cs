using System.Net.Sockets;
using System.Text;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Api;

/// <summary>
/// Slow clients cannot hold connections. The edge client allows 1 s for request headers, 1000 bytes/s
/// of request body after a 2 s grace period and 2 s of idle keep-alive; the clients here trickle a
/// few bytes every 200 ms, never pausing longer than a limit, and must be cut off. Kestrel's own
/// defaults (30 s, 240 bytes/s, 130 s) would keep all of them connected past the 15 s the tests wait.
/// </summary>
[Collection(SqliteClusterDefinition.Name)]
public sealed class SlowClientTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Trickle = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task AClientTricklingItsHeadersIsCutOff()
    {
        var edge = await fixture.EdgeAsync();
        using var socket = await edge.ConnectRawAsync();

        var (cutOff, answer) = await TrickleAsync(socket, Encoding.ASCII.GetBytes("GET /ch08/vendor/list HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + new string('a', 1000)), bytesPerStep: 1);

        Assert.True(cutOff, "the server kept reading headers from a client that never finished them");
        Assert.True(answer.Length == 0 || answer.StartsWith("HTTP/1.1 408", StringComparison.Ordinal), answer);
    }

    [Fact]
    public async Task AClientTricklingItsBodyIsCutOff()
    {
        var edge = await fixture.EdgeAsync();
        using var socket = await edge.ConnectRawAsync();
        await socket.SendAsync(Encoding.ASCII.GetBytes("POST /ch08/vendor/add HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"));

        var (cutOff, answer) = await TrickleAsync(socket, Encoding.ASCII.GetBytes("{\"rep_firstname\":\"" + new string('a', 99_000)), bytesPerStep: 100);

        Assert.True(cutOff, "the server kept reading a body arriving at 500 bytes/s");
        Assert.True(answer.Length == 0 || answer.StartsWith("HTTP/1.1 408", StringComparison.Ordinal), answer);
    }

    [Fact]
    public async Task AnIdleKeptAliveConnectionIsClosed()
    {
        var edge = await fixture.EdgeAsync();
        using var socket = await edge.ConnectRawAsync();
        await socket.SendAsync(Encoding.ASCII.GetBytes("GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n"));

        var (closed, answer) = await ReadUntilClosedAsync(socket, Patience);

        Assert.StartsWith("HTTP/1.1 200", answer, StringComparison.Ordinal);
        Assert.True(closed, "an idle connection stayed open past its keep-alive timeout");
    }

    [Fact]
    public async Task HeadersOverSixteenKibibytesAreRefused()
    {
        var edge = await fixture.EdgeAsync();
        using var http = edge.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        request.Headers.Add("X-Large", new string('h', 20 * 1024));

        using var response = await http.SendAsync(request);

        Assert.Equal(System.Net.HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
    }

    /// <summary>Sends <paramref name="data"/> a little at a time until the server closes the connection (true) or all is sent (false).</summary>
    private static async Task<(bool CutOff, string Answer)> TrickleAsync(Socket socket, byte[] data, int bytesPerStep)
    {
        var reading = ReadUntilClosedAsync(socket, Patience);
        for (var sent = 0; sent < data.Length && !reading.IsCompleted; sent += bytesPerStep)
        {
            try
            {
                await socket.SendAsync(data.AsMemory(sent, Math.Min(bytesPerStep, data.Length - sent)));
            }
            catch (SocketException)
            {
                // The server reset the connection: cut off, as expected; the reader sees it too.
                break;
            }
            await Task.WhenAny(reading, Task.Delay(Trickle));
        }
        return await reading;
    }

    /// <summary>Everything the server sends until it closes the connection; gives up (false) after <paramref name="guard"/> so a broken server fails the test instead of hanging it.</summary>
    private static async Task<(bool Closed, string Answer)> ReadUntilClosedAsync(Socket socket, TimeSpan guard)
    {
        using var timeout = new CancellationTokenSource(guard);
        var received = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, timeout.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }
            return (true, Encoding.ASCII.GetString(received.ToArray()));
        }
        catch (SocketException)
        {
            return (true, Encoding.ASCII.GetString(received.ToArray()));
        }
        catch (OperationCanceledException)
        {
            return (false, Encoding.ASCII.GetString(received.ToArray()));
        }
    }
}
