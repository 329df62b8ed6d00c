using System.Net;
using System.Net.Sockets;

namespace Newsstand.Tests.Infrastructure;

/// <summary>Free loopback ports for the hosts and servers the tests start.</summary>
internal static class LoopbackPorts
{
    private const int LowestPort = 20000;

    // Ports handed out go round the range from a random start, so one run never hands out a port twice.
    private static int _next = Random.Shared.Next(1 << 20);

    /// <summary>
    /// A loopback port nobody listens on right now, below the kernel's ephemeral range: a port the kernel
    /// hands out for binding to port 0 may be given to an outgoing connection (a database or HTTP client
    /// of another test) before the host we start gets to bind it.
    /// </summary>
    public static int Free() => FreeBlock(1);

    /// <summary>The first of <paramref name="count"/> consecutive free ports (for a script that counts up from a base port).</summary>
    public static int FreeBlock(int count)
    {
        var end = EphemeralLow();
        var range = end - LowestPort;
        for (var attempt = 0; range >= 1000 && attempt < range; attempt++)
        {
            // The block's ports all come off the one counter, so no later call hands one of them out again.
            var first = LowestPort + (int)((uint)(Interlocked.Add(ref _next, count) - count) % (uint)range);
            if (first + count <= end && Enumerable.Range(first, count).All(IsFree))
            {
                return first;
            }
        }
        return count == 1 ? AnyFreePort() : throw new InvalidOperationException($"No {count} consecutive free loopback ports.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int AnyFreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The first port of Linux's ephemeral range (32768 unless configured otherwise).</summary>
    private static int EphemeralLow()
    {
        const string range = "/proc/sys/net/ipv4/ip_local_port_range";
        return File.Exists(range) && int.TryParse(File.ReadAllText(range).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0], out var low)
            ? low
            : 32768;
    }
}
