using System.Net;
using System.Net.Sockets;

namespace Newsstand.Silo.Hosting;

/// <summary>
/// Orleans opens its silo and gateway listeners with address reuse, which on Linux also lets a second
/// process listen on the same port; both silos then start and clients talk to either. This check binds
/// each port exclusively first, so a taken port stops the start with a clear message.
/// </summary>
internal static class PortCheck
{
    // Linux SOL_SOCKET / SO_REUSEADDR: .NET's ReuseAddress option would set SO_REUSEPORT too, and then
    // the probe would share the port as well.
    private const int SolSocket = 1;
    private const int SoReuseAddr = 2;

    public static void EnsureFree(IPAddress address, int port, string key)
    {
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (OperatingSystem.IsLinux())
        {
            // Connections of a previous run in TIME_WAIT do not count as taken; a listener does.
            socket.SetRawSocketOption(SolSocket, SoReuseAddr, BitConverter.GetBytes(1));
        }
        try
        {
            socket.Bind(new IPEndPoint(address, port));
            socket.Listen(1);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
        {
            throw new StartupCheckException(
                $"Port {port} ({key}) on {address} is already in use by another process. Stop that process or set {key} to a free port.");
        }
    }
}
