using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Newsstand.Api.Sockets;

/// <summary>
/// The service as a WebSocket client of its own <c>/ch08/customer/list/ws</c> (<c>GET /ch08/customer/wsclient/list/</c>):
/// it connects to its own base URL, acknowledges every customer and counts them. Every wait is bounded:
/// an endpoint it cannot reach is a 503, one that misbehaves, stops answering or closes abnormally a 502.
/// </summary>
internal sealed class CustomerListClient(IServer server, IOptions<CustomerSocketOptions> options, TimeProvider time)
{
    public const string SocketPath = "/ch08/customer/list/ws";
    private const int MaxMessageBytes = 64 * 1024;

    /// <summary>Walks the socket as a client; <paramref name="authorization"/> is the caller's own <c>Authorization</c> header, passed on.</summary>
    public async Task<int> ReadAllAsync(string? authorization, CancellationToken cancellationToken)
    {
        var endpoint = Endpoint();
        using var socket = new ClientWebSocket();
        if (!string.IsNullOrEmpty(authorization))
        {
            socket.Options.SetRequestHeader("Authorization", authorization);
        }
        using (var connect = Deadline(options.Value.ConnectTimeout, cancellationToken))
        {
            try
            {
                await socket.ConnectAsync(endpoint, connect.Token);
            }
            catch (Exception error) when (error is WebSocketException or HttpRequestException
                || (error is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                throw UpstreamException.Unreachable($"The customer list socket at {endpoint} could not be reached ({error.Message}).", error);
            }
        }
        try
        {
            return await AcknowledgeAllAsync(socket, endpoint, cancellationToken);
        }
        catch (Exception error) when (error is WebSocketException or JsonException
            || (error is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            socket.Abort();
            throw UpstreamException.Broken($"The customer list socket at {endpoint} broke off ({error.GetType().Name}: {error.Message}).", error);
        }
    }

    private async Task<int> AcknowledgeAllAsync(ClientWebSocket socket, Uri endpoint, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxMessageBytes];
        var received = 0;
        while (true)
        {
            var filled = 0;
            ValueWebSocketReceiveResult result;
            using (var wait = Deadline(options.Value.ReceiveTimeout, cancellationToken))
            {
                do
                {
                    if (filled == buffer.Length)
                    {
                        throw UpstreamException.Broken($"The customer list socket at {endpoint} sent a message over {MaxMessageBytes} bytes.");
                    }
                    result = await socket.ReceiveAsync(buffer.AsMemory(filled), wait.Token);
                    filled += result.Count;
                }
                while (!result.EndOfMessage);
            }
            if (result.MessageType == WebSocketMessageType.Close)
            {
                if (socket.CloseStatus != WebSocketCloseStatus.NormalClosure)
                {
                    throw UpstreamException.Broken($"The customer list socket at {endpoint} closed with {(int?)socket.CloseStatus}: {socket.CloseStatusDescription}");
                }
                using var close = Deadline(options.Value.ConnectTimeout, cancellationToken);
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", close.Token);
                return received;
            }
            using var customer = JsonDocument.Parse(buffer.AsMemory(0, filled));
            var id = customer.RootElement.GetProperty("id").GetInt32();
            await socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(new { rec_id = id }), WebSocketMessageType.Text, true, cancellationToken);
            received++;
        }
    }

    private Deadline Deadline(TimeSpan after, CancellationToken cancellationToken) => new(after, time, cancellationToken);

    /// <summary>The socket's address: the configured base URL, else the first address this server listens on (a wildcard host as loopback).</summary>
    private Uri Endpoint()
    {
        var configured = options.Value.SelfBaseUrl;
        var baseUrl = !string.IsNullOrWhiteSpace(configured)
            ? configured
            : server.Features.Get<IServerAddressesFeature>()?.Addresses.OrderBy(a => a.StartsWith("https", StringComparison.OrdinalIgnoreCase)).FirstOrDefault()
                ?? throw UpstreamException.Unreachable("The service does not know its own address; set CustomerSockets__SelfBaseUrl.");
        var builder = new UriBuilder(baseUrl.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal));
        if (builder.Host is "0.0.0.0" or "[::]" or "::")
        {
            builder.Host = "localhost";
        }
        builder.Scheme = builder.Scheme == Uri.UriSchemeHttps ? "wss" : "ws";
        builder.Path = builder.Path.TrimEnd('/') + SocketPath;
        return builder.Uri;
    }
}

/// <summary>A token cancelled by the caller or after a while on the given clock, whichever comes first.</summary>
internal sealed class Deadline : IDisposable
{
    private readonly CancellationTokenSource _timer;
    private readonly CancellationTokenSource _linked;

    public Deadline(TimeSpan after, TimeProvider time, CancellationToken outer)
    {
        _timer = new CancellationTokenSource(after, time);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(outer, _timer.Token);
    }

    public CancellationToken Token => _linked.Token;

    public void Dispose()
    {
        _linked.Dispose();
        _timer.Dispose();
    }
}
