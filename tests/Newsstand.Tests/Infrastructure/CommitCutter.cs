using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
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
    private int _roundTrips;
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

    /// <summary>
    /// The round trips of the clients so far: each time a client sends after the server answered all it had sent (a
    /// ReadyForQuery). The server's answers alone would overcount: a client may send several queries before it waits (Npgsql
    /// puts a transaction's BEGIN, a query of its own with its own ReadyForQuery, in front of the next command).
    /// </summary>
    public int RoundTrips => Volatile.Read(ref _roundTrips);

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
                var connection = new Connection();
                await Task.WhenAny(ToServerAsync(client.GetStream(), server.GetStream(), connection), ToClientAsync(server.GetStream(), client.GetStream(), connection));
            }
            catch (Exception error) when (error is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // One side closed: the relay ends, and so does the other side.
            }
        }
    }

    private async Task ToServerAsync(NetworkStream from, NetworkStream to, Connection connection)
    {
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0)
        {
            // Marked before the bytes leave, so that the server's answer to them is already watched for.
            if (Volatile.Read(ref _marker) is { } marker && buffer.AsSpan(0, read).IndexOf(marker) >= 0)
            {
                connection.Marked = true;
            }
            if (connection.Answered)
            {
                connection.Answered = false;
                Interlocked.Increment(ref _roundTrips);
            }
            await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
        }
    }

    /// <summary>Relays the server's messages (a type byte, then a length that counts itself) until an armed cut drops one.</summary>
    private async Task ToClientAsync(NetworkStream from, NetworkStream to, Connection connection)
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
                    if (committed && (Volatile.Read(ref _marker) is null || connection.Marked) && Interlocked.Exchange(ref _armed, 0) == 1)
                    {
                        // The server committed; the client never hears of it.
                        await to.WriteAsync(pending.GetRange(0, relay).ToArray(), _stop.Token);
                        Cut.TrySetResult();
                        return;
                    }
                    connection.Answered = true;
                }
                relay += 1 + length;
            }
            await to.WriteAsync(pending.GetRange(0, relay).ToArray(), _stop.Token);
            pending.RemoveRange(0, relay);
        }
    }

    /// <summary>What the relay knows of one client connection.</summary>
    private sealed class Connection
    {
        /// <summary>The client has sent the armed marker.</summary>
        public volatile bool Marked;

        /// <summary>The server has answered all the client sent (its last message relayed was a ReadyForQuery).</summary>
        public volatile bool Answered;
    }
}
