using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Newsstand.Api.Binding;
using Newsstand.Hosting;

namespace Newsstand.Api.Hosting;

/// <summary>Kestrel's limits: the body size of the API contract and the validated <see cref="ConnectionLimitOptions"/>.</summary>
internal static class KestrelLimits
{
    public static void AddTo(WebApplicationBuilder builder)
    {
        builder.Services.AddSettings<ConnectionLimitOptions>(ConnectionLimitOptions.SectionName);
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<ConnectionLimitOptions>>((kestrel, options) => Apply(kestrel.Limits, options.Value));
    }

    private static void Apply(KestrelServerLimits limits, ConnectionLimitOptions options)
    {
        limits.MaxRequestBodySize = RequestLimits.MaxBodyBytes;
        limits.RequestHeadersTimeout = options.RequestHeadersTimeout;
        limits.KeepAliveTimeout = options.KeepAliveTimeout;
        limits.MaxRequestHeadersTotalSize = options.MaxRequestHeadersTotalSize;
        limits.MinRequestBodyDataRate = new MinDataRate(options.MinRequestBodyDataRate, options.DataRateGracePeriod);
    }
}
