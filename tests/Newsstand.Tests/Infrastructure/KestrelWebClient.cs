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
/// cannot show (Kestrel's limits and timeouts, client addresses, raw sockets).
/// </summary>
public sealed class KestrelWebClient : IAsyncDisposable
{
    private static int _nextAddress = 10;

    private readonly WebApplicationFactory<Program> _factory;

    private KestrelWebClient(WebApplicationFactory<Program> factory, Uri address)
    {
        _factory = factory;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>The web client's services (its endpoint data source, its options).</summary>
    public IServiceProvider Services => _factory.Services;

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

    public ValueTask DisposeAsync() => _factory.DisposeAsync();
}
