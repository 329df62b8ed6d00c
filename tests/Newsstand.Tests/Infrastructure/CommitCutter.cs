using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Newsstand.Tests.Infrastructure;

/// <summary>
/// A loopback TCP proxy in front of a PostgreSQL server. Once armed, it lets the next commit of written rows through to
/// the server, drops the server's answer that tells the client so and cuts that connection: the transaction committed,
/// and its client only learns that the connection broke (the unknown outcome of a commit). A commit of written rows is
/// an answer that ends in <c>ReadyForQuery</c> with the server idle after a <c>COMMIT</c>, or after an <c>INSERT</c> or
/// <c>UPDATE</c> that ran in the implicit transaction of its batch (committed at the batch's Sync, no COMMIT sent).
/// </summary>
internal sealed class CommitCutter : IAsyncDisposable
{
    private static readonly string[] Writes = ["COMMIT", "INSERT ", "UPDATE "];

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly string _host;
    private readonly int _port;
    private readonly Task _accepting;
    private int _armed;
    private int _answers;
    private byte[]? _marker;

    private CommitCutter(string host, int port)
    {
        (_host, _port) = (host, port);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>A cutter listening on a free loopback port, relaying to <paramref name="host"/>:<paramref name="port"/>.</summary>
    public static CommitCutter Start(string host, int port) => new(host, port);

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The server's answers relayed so far (its ReadyForQuery messages): one per round trip of a client.</summary>
    public int Answers => Volatile.Read(ref _answers);

    /// <summary>Completes once an armed cut has happened.</summary>
    public TaskCompletionSource Cut { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Cuts the next commit of written rows; with <paramref name="marker"/>, the next one of a connection that has sent those
    /// bytes (e.g. an idempotency key among a statement's parameters), so a background commit in between is let through.
    /// </summary>
    public void Arm(string? marker = null)
    {
        Cut = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _marker, marker is null ? null : Encoding.UTF8.GetBytes(marker));
        Volatile.Write(ref _armed, 1);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using (client)
        using (var server = new TcpClient())
        {
            try
            {
                await server.ConnectAsync(_host, _port, _stop.Token);
                var marked = new StrongBox<bool>();
                await Task.WhenAny(ToServerAsync(client.GetStream(), server.GetStream(), marked), ToClientAsync(server.GetStream(), client.GetStream(), marked));
            }
            catch (Exception error) when (error is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // One side closed: the relay ends, and so does the other side.
            }
        }
    }

    private async Task ToServerAsync(NetworkStream from, NetworkStream to, StrongBox<bool> marked)
    {
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0)
        {
            // Marked before the bytes leave, so that the server's answer to them is already watched for.
            if (Volatile.Read(ref _marker) is { } marker && buffer.AsSpan(0, read).IndexOf(marker) >= 0)
            {
                Volatile.Write(ref marked.Value, true);
            }
            await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
        }
    }

    /// <summary>Relays the server's messages (a type byte, then a length that counts itself) until an armed cut drops one.</summary>
    private async Task ToClientAsync(NetworkStream from, NetworkStream to, StrongBox<bool> marked)
    {
        var pending = new List<byte>();
        var buffer = new byte[64 * 1024];
        var authenticating = true;
        var wrote = false;
        int read;
        while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0)
        {
            pending.AddRange(buffer.AsSpan(0, read));
            var relay = 0;
            while (pending.Count > relay)
            {
                var type = (char)pending[relay];
                if (authenticating && type is 'N' or 'G')
                {
                    relay += 1; // the one-byte refusal of an SSL or GSS encryption request, before the startup message
                    continue;
                }
                if (pending.Count < relay + 5)
                {
                    break;
                }
                var length = BinaryPrimitives.ReadInt32BigEndian(CollectionsMarshal.AsSpan(pending).Slice(relay + 1, 4));
                if (pending.Count < relay + 1 + length)
                {
                    break;
                }
                var body = CollectionsMarshal.AsSpan(pending).Slice(relay + 5, length - 4);
                authenticating &= type != 'R';
                if (type == 'C')
                {
                    var tag = Encoding.ASCII.GetString(body[..^1]);
                    wrote |= Writes.Any(w => tag.StartsWith(w, StringComparison.Ordinal));
                }
                else if (type == 'Z')
                {
                    var committed = wrote && body[0] == (byte)'I';
                    wrote = false;
                    if (committed && (Volatile.Read(ref _marker) is null || Volatile.Read(ref marked.Value)) && Interlocked.Exchange(ref _armed, 0) == 1)
                    {
                        // The server committed; the client never hears of it.
                        await to.WriteAsync(pending.GetRange(0, relay).ToArray(), _stop.Token);
                        Cut.TrySetResult();
                        return;
                    }
                    Interlocked.Increment(ref _answers);
                }
                relay += 1 + length;
            }
            await to.WriteAsync(pending.GetRange(0, relay).ToArray(), _stop.Token);
            pending.RemoveRange(0, relay);
        }
    }
}
