using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Newsstand.Tests.Infrastructure;

/// <summary>
/// The real web client behind real Kestrel on a free loopback port: what the in-process test server
/// cannot show (Kestrel's limits and timeouts, client addresses, raw sockets, SSE and WebSockets over
/// real connections).
/// </summary>
public sealed class KestrelWebClient : IAsyncDisposable
{
    private static int _nextAddress = 10;

    private readonly WebApplicationFactory<Program> _factory;

    private KestrelWebClient(WebApplicationFactory<Program> factory, Uri address)
    {
        _factory = factory;
        Address = address;
        Http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
    }

    public Uri Address { get; }

    /// <summary>A plain client of <see cref="Address"/>.</summary>
    public HttpClient Http { get; }

    public IServiceProvider Services => _factory.Services;

    /// <summary>The WebSocket URL of <paramref name="path"/> on this server.</summary>
    public Uri Socket(string path) => new UriBuilder(Address) { Scheme = "ws", Path = path }.Uri;

    public static KestrelWebClient Start(WebApplicationFactory<Program> web)
    {
        // appsettings.json asks for port 8000; app configuration added here wins over it.
        var factory = web.WithWebHostBuilder(host => host.ConfigureAppConfiguration(configuration =>
            configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Urls"] = "http://127.0.0.1:0" })));
        factory.UseKestrel();
        factory.StartServer();
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new KestrelWebClient(factory, new Uri(address));
    }

    /// <summary>A loopback address no other test has used, so per-address limits start fresh (Linux routes all of 127/8 to lo).</summary>
    /// <summary>
    /// The real web client on Kestrel, connected to <paramref name="silo"/>'s gateway, with the original's anonymous
    /// contract (<c>Auth:Mode=Open</c>): for the process tests, whose subject is a crash, not access.
    /// </summary>
    internal static KestrelWebClient ForSilo(SiloProcess silo) => Start(new WebApplicationFactory<Program>().WithWebHostBuilder(web => web
        .UseSetting("Orleans:GatewayPorts:0", silo.GatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture))
        .UseSetting("Auth:Mode", "Open")));

    public static IPAddress FreshLoopbackAddress()
    {
        var n = Interlocked.Increment(ref _nextAddress);
        return new IPAddress([127, 0, (byte)(n / 250), (byte)((n % 250) + 2)]);
    }

    /// <summary>An HTTP client whose connections come from <paramref name="from"/> (default 127.0.0.1).</summary>
    public HttpClient CreateClient(IPAddress? from = null)
    {
        var handler = new SocketsHttpHandler
        {
            // Shorter than any keep-alive timeout the tests configure: never reuse a connection the server is closing.
            PooledConnectionIdleTimeout = TimeSpan.FromMilliseconds(300),
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                var connected = false;
                try
                {
                    socket.Bind(new IPEndPoint(from ?? IPAddress.Loopback, 0));
                    await socket.ConnectAsync(context.DnsEndPoint.Host, context.DnsEndPoint.Port, cancellationToken);
                    connected = true;
                    return new NetworkStream(socket, ownsSocket: true);
                }
                finally
                {
                    if (!connected)
                    {
                        socket.Dispose();
                    }
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = Address };
    }

    /// <summary>A raw TCP connection to the server, for clients that do not speak HTTP politely.</summary>
    public async Task<Socket> ConnectRawAsync()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(Address.Host, Address.Port);
        return socket;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _factory.DisposeAsync();
    }
}
