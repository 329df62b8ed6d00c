using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Newsstand.Tests.Infrastructure;

/// <summary>
/// A loopback TCP proxy in front of a PostgreSQL server. Once armed, it lets the next <c>COMMIT</c> through to the
/// server, waits for the server's answer, drops it and cuts that connection: the transaction committed, and its
/// client only learns that the connection broke (the unknown outcome of a commit).
/// </summary>
internal sealed class CommitCutter : IAsyncDisposable
{
    private static readonly byte[] Commit = Encoding.ASCII.GetBytes("COMMIT\0");

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly string _host;
    private readonly int _port;
    private readonly Task _accepting;
    private int _armed;
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

    /// <summary>Completes once an armed cut has happened.</summary>
    public TaskCompletionSource Cut { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Cuts the next COMMIT; with <paramref name="marker"/>, the next COMMIT of a connection that has sent those bytes
    /// (e.g. an idempotency key among a statement's parameters), so a background commit in between is let through.
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
                var cutting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                await Task.WhenAny(ToServerAsync(client.GetStream(), server.GetStream(), cutting), ToClientAsync(server.GetStream(), client.GetStream(), cutting.Task));
            }
            catch (Exception error) when (error is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // One side closed: the relay ends, and so does the other side.
            }
        }
    }

    private async Task ToServerAsync(NetworkStream from, NetworkStream to, TaskCompletionSource cutting)
    {
        var buffer = new byte[64 * 1024];
        var marked = false;
        int read;
        while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0)
        {
            var sent = buffer.AsSpan(0, read);
            marked |= Volatile.Read(ref _marker) is { } marker && sent.IndexOf(marker) >= 0;
            // Marked before the COMMIT leaves, so that the server's answer to it is never relayed.
            if (sent.IndexOf(Commit) >= 0 && (marked || Volatile.Read(ref _marker) is null) && Interlocked.Exchange(ref _armed, 0) == 1)
            {
                cutting.TrySetResult();
            }
            await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
        }
    }

    private async Task ToClientAsync(NetworkStream from, NetworkStream to, Task cutting)
    {
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0)
        {
            if (cutting.IsCompleted)
            {
                // The server's answer to the COMMIT: it committed. The client never hears of it.
                Cut.TrySetResult();
                return;
            }
            await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
        }
    }
}
