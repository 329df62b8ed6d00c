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
    public static int Free()
    {
        var end = EphemeralLow();
        if (end - LowestPort < 1000)
        {
            return AnyFreePort();
        }
        for (var attempt = 0; attempt < end - LowestPort; attempt++)
        {
            var port = LowestPort + (int)((uint)Interlocked.Increment(ref _next) % (uint)(end - LowestPort));
            if (IsFree(port))
            {
                return port;
            }
        }
        return AnyFreePort();
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
