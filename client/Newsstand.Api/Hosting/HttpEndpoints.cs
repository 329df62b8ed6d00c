using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Newsstand.Hosting;

namespace Newsstand.Api.Hosting;

/// <summary>
/// Kestrel endpoints for HTTP/2: an HTTPS port speaking HTTP/1.1 and HTTP/2 (chosen by ALPN), and an h2c port
/// speaking HTTP/2 only (cleartext HTTP/2 needs prior knowledge: there is no upgrade from HTTP/1.1). Endpoints
/// set here replace the <c>Urls</c> setting in Kestrel, so the URLs are bound here too, as before (HTTP/1.1, and HTTP/2 on an https URL); Kestrel then logs once
/// that it is "overriding" the URLs, which it is not: they are among the endpoints.
/// </summary>
public static class HttpEndpoints
{
    public static WebApplicationBuilder AddHttpEndpoints(this WebApplicationBuilder builder)
    {
        builder.Services.AddSettings<HttpEndpointOptions>(HttpEndpointOptions.SectionName);
        var configured = Settings.Read<HttpEndpointOptions>(builder.Configuration, HttpEndpointOptions.SectionName);
        if (!configured.AnyConfigured)
        {
            return builder;
        }
        if (configured.HttpsPort is { } httpsPort)
        {
            PortCheck.EnsureFree(configured.Host, httpsPort, "HttpEndpoints:HttpsPort");
        }
        if (configured.H2cPort is { } h2cPort)
        {
            PortCheck.EnsureFree(configured.Host, h2cPort, "HttpEndpoints:H2cPort");
        }
        var urls = (builder.Configuration[WebHostDefaults.ServerUrlsKey] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var endpoints = kestrel.ApplicationServices.GetRequiredService<IOptions<HttpEndpointOptions>>().Value;
            foreach (var url in urls)
            {
                var address = BindingAddress.Parse(url);
                var secure = address.Scheme == Uri.UriSchemeHttps;
                Listen(kestrel, address.Host, address.Port, secure ? HttpProtocols.Http1AndHttp2 : HttpProtocols.Http1,
                    secure ? listen => listen.UseHttps() : null);
            }
            if (endpoints.HttpsPort is { } https)
            {
                Listen(kestrel, endpoints.Host, https, HttpProtocols.Http1AndHttp2,
                    listen => listen.UseHttps(endpoints.CertificatePath!, endpoints.CertificatePassword));
            }
            if (endpoints.H2cPort is { } h2c)
            {
                Listen(kestrel, endpoints.Host, h2c, HttpProtocols.Http2, null);
            }
        });
        return builder;
    }

    private static void Listen(KestrelServerOptions kestrel, string host, int port, HttpProtocols protocols, Action<ListenOptions>? https)
    {
        void Configure(ListenOptions listen)
        {
            listen.Protocols = protocols;
            https?.Invoke(listen);
        }
        if (host is "localhost")
        {
            kestrel.ListenLocalhost(port, Configure);
        }
        else if (host is "*" or "+" || !IPAddress.TryParse(host, out var ip))
        {
            kestrel.ListenAnyIP(port, Configure);
        }
        else
        {
            kestrel.Listen(ip, port, Configure);
        }
    }
}
