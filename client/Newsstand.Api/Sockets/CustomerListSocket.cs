using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Newsstand.Grains;
using Newsstand.Records;

namespace Newsstand.Api.Sockets;

/// <summary>
/// The server side of <c>WS /ch08/customer/list/ws</c>: every customer in id order as one JSON text message,
/// each acknowledged by the client with <c>{"rec_id": &lt;its id&gt;}</c> before the next is sent, then a normal
/// close (1000). A missing acknowledgement closes with 1008 after <see cref="CustomerSocketOptions.AckTimeout"/>,
/// a malformed or wrong one with 1008, a message over 4 KiB with 1009. A client that vanishes ends the walk
/// at once: the table scan, the socket and the session count go with it. When the host stops, the walk
/// closes with 1001 (going away) at once instead of holding the shutdown up.
/// </summary>
internal sealed partial class CustomerListSocket(IGrainFactory grains, IOptions<CustomerSocketOptions> options, TimeProvider time,
    IHostApplicationLifetime lifetime, ILogger<CustomerListSocket> logger)
{
    public const int MaxMessageBytes = 4 * 1024;
    private const string ShuttingDown = "The service is shutting down.";
    private const int ScanBatch = 128;

    private int _sessions;

    /// <summary>Sockets being served right now.</summary>
    public int Sessions => Volatile.Read(ref _sessions);

    /// <summary>Raised after a session has ended and released everything it held.</summary>
    public event Action? SessionEnded;

    /// <summary>Walks the customers over <paramref name="socket"/>; once <paramref name="tokenExpiresAt"/> has passed, the next
    /// record is not sent: the socket closes with 1008 and the client reconnects with a fresh token.</summary>
    public async Task ServeAsync(WebSocket socket, DateTimeOffset? tokenExpiresAt, CancellationToken aborted)
    {
        Interlocked.Increment(ref _sessions);
        try
        {
            await WalkAsync(socket, tokenExpiresAt, aborted);
        }
        catch (Exception error) when (error is OperationCanceledException or WebSocketException)
        {
            // The client went away mid-walk: nothing to answer.
            LogLeft(error);
        }
        finally
        {
            Interlocked.Decrement(ref _sessions);
            SessionEnded?.Invoke();
        }
    }

    private async Task WalkAsync(WebSocket socket, DateTimeOffset? tokenExpiresAt, CancellationToken aborted)
    {
        var buffer = new byte[MaxMessageBytes];
        await foreach (var customer in grains.ScanAsync<CustomerRecord>(ScanBatch, aborted))
        {
            if (tokenExpiresAt <= time.GetUtcNow())
            {
                await CloseAsync(socket, WebSocketCloseStatus.PolicyViolation, "The access token expired: reconnect with a fresh one.", null, aborted);
                return;
            }
            if (lifetime.ApplicationStopping.IsCancellationRequested)
            {
                await CloseAsync(socket, WebSocketCloseStatus.EndpointUnavailable, ShuttingDown, null, aborted);
                return;
            }
            await socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(customer, NewsstandJson.Options), WebSocketMessageType.Text, true, aborted);
            var (status, reason, pending) = await ReceiveAckAsync(socket, buffer, customer.Id, aborted);
            if (status is { } close)
            {
                await CloseAsync(socket, close, reason, pending, aborted);
                return;
            }
        }
        await CloseAsync(socket, WebSocketCloseStatus.NormalClosure, "done", null, aborted);
    }

    /// <summary>Waits for the acknowledgement of <paramref name="id"/>; a close status and reason when the walk must end
    /// instead (with the receive still under way when the wait timed out).</summary>
    private async Task<(WebSocketCloseStatus? Status, string Reason, Task<ValueWebSocketReceiveResult>? Pending)> ReceiveAckAsync(WebSocket socket, byte[] buffer, int id, CancellationToken aborted)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        var timeout = Task.Delay(options.Value.AckTimeout, time, timer.Token);
        var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var whenStopping = lifetime.ApplicationStopping.Register(() => stopping.TrySetResult());
        var filled = 0;
        while (true)
        {
            // A cancelled receive would abort the socket, so the timeout and the shutdown race the receive instead of cancelling it.
            var receive = socket.ReceiveAsync(buffer.AsMemory(filled), aborted).AsTask();
            var first = await Task.WhenAny(receive, timeout, stopping.Task);
            if (first == stopping.Task)
            {
                return (WebSocketCloseStatus.EndpointUnavailable, ShuttingDown, receive);
            }
            if (first == timeout)
            {
                aborted.ThrowIfCancellationRequested();
                return (WebSocketCloseStatus.PolicyViolation, $"No acknowledgement of rec_id {id} within {options.Value.AckTimeout.TotalSeconds:0.###} s.", receive);
            }
            var result = await receive;
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (WebSocketCloseStatus.NormalClosure, "closed by the client", null);
            }
            filled += result.Count;
            if (!result.EndOfMessage)
            {
                if (filled == buffer.Length)
                {
                    return (WebSocketCloseStatus.MessageTooBig, $"Messages are limited to {MaxMessageBytes} bytes.", null);
                }
                continue;
            }
            await timer.CancelAsync();
            if (result.MessageType != WebSocketMessageType.Text || AckedId(buffer.AsSpan(0, filled)) is not { } acked)
            {
                return (WebSocketCloseStatus.PolicyViolation, "Malformed acknowledgement: expected a text message {\"rec_id\": <id>}.", null);
            }
            return acked == id
                ? (null, "", null)
                : (WebSocketCloseStatus.PolicyViolation, $"Wrong acknowledgement: expected rec_id {id}, got {acked}.", null);
        }
    }

    private static int? AckedId(ReadOnlySpan<byte> message)
    {
        try
        {
            var reader = new Utf8JsonReader(message);
            using var document = JsonDocument.ParseValue(ref reader);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("rec_id", out var id)
                && id.ValueKind == JsonValueKind.Number
                && id.TryGetInt32(out var value) ? value : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Sends the close frame and waits (bounded) for the client's, so both sides see a clean close.</summary>
    private async Task CloseAsync(WebSocket socket, WebSocketCloseStatus status, string reason, Task<ValueWebSocketReceiveResult>? pending, CancellationToken aborted)
    {
        if (status != WebSocketCloseStatus.NormalClosure)
        {
            LogClosing((int)status, reason);
        }
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            await socket.CloseOutputAsync(status, reason, aborted);
        }
        if (socket.State != WebSocketState.CloseSent)
        {
            return;
        }
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        var drain = DrainUntilCloseAsync(socket, pending, aborted);
        await Task.WhenAny(drain, Task.Delay(options.Value.CloseTimeout, time, timer.Token));
        await timer.CancelAsync();
        if (!drain.IsCompleted)
        {
            socket.Abort();
        }
        await drain.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private static async Task DrainUntilCloseAsync(WebSocket socket, Task<ValueWebSocketReceiveResult>? pending, CancellationToken aborted)
    {
        if (pending is not null && (await pending).MessageType == WebSocketMessageType.Close)
        {
            return;
        }
        var scratch = new byte[256];
        while (socket.State == WebSocketState.CloseSent)
        {
            if ((await socket.ReceiveAsync(scratch, aborted)).MessageType == WebSocketMessageType.Close)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Customer list socket closes with {Status}: {Reason}")]
    private partial void LogClosing(int status, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Customer list socket client left mid-walk.")]
    private partial void LogLeft(Exception error);
}
