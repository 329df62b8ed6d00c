using System.Net;
using System.Net.Sockets;

namespace Newsstand.Api.Hosting;

/// <summary>How per-address limits count a client: by its address, and IPv6 clients by their /64 network (one host usually holds a whole /64).</summary>
internal static class ClientAddress
{
    public static string Key(IPAddress? address) => address switch
    {
        null => "unknown",
        { IsIPv4MappedToIPv6: true } => address.MapToIPv4().ToString(),
        { AddressFamily: AddressFamily.InterNetworkV6 } => new IPAddress([.. address.GetAddressBytes()[..8], 0, 0, 0, 0, 0, 0, 0, 0]) + "/64",
        _ => address.ToString(),
    };
}
