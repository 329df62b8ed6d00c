using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
using Newsstand.Hosting;

namespace Newsstand.Api.Hosting;

/// <summary>
/// ASP.NET Core's forwarded headers middleware, fed only from <see cref="TrustedProxyOptions"/>: behind the
/// ingress, abuse limits, per-address caps and logs see the real client address (and the socket origin check
/// the scheme the browser used). Without configured proxies the middleware is not installed at all.
/// </summary>
internal static class TrustedProxies
{
    public static void AddTo(WebApplicationBuilder builder)
    {
        builder.Services.AddSettings<TrustedProxyOptions>(TrustedProxyOptions.SectionName);
        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<TrustedProxyOptions>>((forwarded, trusted) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // ASP.NET Core trusts loopback by default; only what is configured counts here.
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var proxy in trusted.Value.Proxies)
            {
                forwarded.KnownProxies.Add(proxy);
            }
            foreach (var network in trusted.Value.Networks)
            {
                forwarded.KnownIPNetworks.Add(network);
            }
            // One proxy in front (the ingress): only the address it appended is taken, never one a client wrote.
            forwarded.ForwardLimit = 1;
        });
    }

    /// <summary>Rewrites the client address and scheme from a trusted proxy's headers; first, so everything after sees them.</summary>
    public static void UseTrustedProxies(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<TrustedProxyOptions>>().Value.Configured)
        {
            app.UseForwardedHeaders();
        }
    }
}
