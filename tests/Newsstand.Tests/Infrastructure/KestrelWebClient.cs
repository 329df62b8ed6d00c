using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Newsstand.Tests.Infrastructure;

/// <summary>The real web client served by Kestrel on a free loopback port: HTTP, SSE and WebSocket over real sockets.</summary>
public sealed class KestrelWebClient : IAsyncDisposable
{
    private readonly WebApplicationFactory<Program> _factory;

    private KestrelWebClient(WebApplicationFactory<Program> factory)
    {
        _factory = factory;
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address);
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public Uri BaseAddress { get; }

    public HttpClient Http { get; }

    public IServiceProvider Services => _factory.Services;

    public Uri Socket(string path) => new UriBuilder(BaseAddress) { Scheme = "ws", Path = path }.Uri;

    public static KestrelWebClient Start(WebApplicationFactory<Program> factory)
    {
        factory.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        factory.StartServer();
        return new KestrelWebClient(factory);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _factory.DisposeAsync();
    }
}
