using Newsstand.Api.Apis;
using Newsstand.Hosting;
using Orleans.Configuration;

namespace Newsstand.Client.Hosting;

/// <summary>How the web client finds the gateways (the local silo(s) by default, every live silo through Redis when configured), and whether it talks TLS to them.</summary>
internal static class ClusteringExtensions
{
    /// <summary>Orleans' client messaging options, e.g. <c>Orleans:Messaging:ResponseTimeout</c> (default 30 s).</summary>
    public const string MessagingSection = "Orleans:Messaging";

    /// <summary>The Orleans client; it keeps retrying until a gateway answers, so start order does not matter.</summary>
    public static WebApplicationBuilder AddNewsstandClusterClient(this WebApplicationBuilder builder)
    {
        // Read and checked before UseOrleansClient needs it: a bad key stops the start with a message naming it.
        var cluster = Settings.Read<ClusterClientOptions>(builder.Configuration, ClusterClientOptions.SectionName);
        var tls = ClusterTlsOptions.LoadTrust(builder.Configuration);
        // Orleans binds Orleans:Messaging itself as the client is added, with the binder's exception: checked first.
        _ = Settings.Read<ClientMessagingOptions>(builder.Configuration, MessagingSection);
        builder.Services.AddSettings<ClusterClientOptions>(ClusterClientOptions.SectionName);
        builder.UseOrleansClient(client =>
        {
            if (cluster.UsesRedis)
            {
                var redis = RedisConnection.Parse(cluster.RedisClustering!);
                client.UseRedisClustering(options => options.ConfigurationOptions = redis)
                    .Configure<ClusterOptions>(options => (options.ClusterId, options.ServiceId) = (cluster.ClusterId, cluster.ServiceId));
            }
            else
            {
                client.UseLocalhostClustering(cluster.GatewayPorts is [] ? [ClusterClientOptions.DefaultGatewayPort] : cluster.GatewayPorts, cluster.ServiceId, cluster.ClusterId);
            }
            if (tls is not null)
            {
                client.UseClusterTls(tls);
            }
            client.UseConnectionRetryFilter(RetryConnectingAsync).AddActivityPropagation().AddMemoryStreams(ProviderNames.Streams);
            // Reads under way are given up and sent again as soon as a gateway connection closes (the API's GatewayLosses).
            client.Services.AddSingleton<IClusterConnectionStatusObserver>(services => services.GetRequiredService<GatewayLosses>());
            // A call whose silo died unanswered fails after the response timeout: a 503, outcome unknown.
            // Orleans' own options class, bound and checked like ours: a bad value stops the start naming its key.
            client.Services.AddSettings<ClientMessagingOptions>(MessagingSection);
        });
        return builder;
    }

    private static async Task<bool> RetryConnectingAsync(Exception exception, CancellationToken cancellationToken)
    {
        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        return !cancellationToken.IsCancellationRequested;
    }
}
