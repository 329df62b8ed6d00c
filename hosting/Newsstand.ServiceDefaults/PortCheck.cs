using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;

namespace Newsstand.Hosting;

/// <summary>
/// Checks, before a host starts anything, that the ports it will listen on are free, so a taken port
/// stops the start with a message naming its setting instead of a crash half-way (Kestrel's bind error
/// comes after the silo has joined its cluster). Orleans opens its silo and gateway listeners with
/// address reuse, which on Linux also lets a second process listen on the same port: the probe binds
/// each port exclusively.
/// </summary>
public static class PortCheck
{
    // Linux SOL_SOCKET / SO_REUSEADDR: .NET's ReuseAddress option would set SO_REUSEPORT too, and then
    // the probe would share the port as well.
    private const int SolSocket = 1;
    private const int SoReuseAddr = 2;

    /// <summary>Every port of the web addresses the host is configured with (<c>urls</c>: <c>--urls</c>,
    /// <c>ASPNETCORE_URLS</c>, <c>Urls</c>); port 0 (any free port) is not checked.</summary>
    public static void EnsureWebPortsFree(IConfiguration configuration)
    {
        foreach (var url in (configuration["urls"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var address = BindingAddress.Parse(url);
            if (address.Port == 0 || address.IsUnixPipe)
            {
                continue;
            }
            EnsureFree(address.Host, address.Port, $"Urls ({url})");
        }
    }

    /// <summary>The port on the address Kestrel binds for <paramref name="host"/> as written in a URL:
    /// <c>localhost</c> is checked on the IPv4 loopback; <c>*</c>, <c>+</c> or a host name (which Kestrel
    /// binds on every address) on every IPv4 address; an IP address on itself.</summary>
    public static void EnsureFree(string host, int port, string key)
    {
        var address = host switch
        {
            "localhost" => IPAddress.Loopback,
            "[::]" => IPAddress.IPv6Any,
            _ => IPAddress.TryParse(host.Trim('[', ']'), out var ip) ? ip : IPAddress.Any,
        };
        EnsureFree(address, port, key);
    }

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
