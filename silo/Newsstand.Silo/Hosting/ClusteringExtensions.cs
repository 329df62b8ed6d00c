using System.Net;
using Newsstand.Hosting;
using Orleans.Configuration;

namespace Newsstand.Silo.Hosting;

/// <summary>How the silo finds the rest of its cluster: localhost clustering by default, Redis when configured.</summary>
internal static class ClusteringExtensions
{
    /// <summary>Orleans' membership options (probe timeouts and the like), e.g. <c>Orleans:Membership:ProbeTimeout</c>.</summary>
    public const string MembershipSection = "Orleans:Membership";

    public static ISiloBuilder UseNewsstandClustering(this ISiloBuilder silo, SiloClusterOptions cluster)
    {
        var advertised = cluster.AdvertisedAddress is { } address ? IPAddress.Parse(address) : null;
        if (cluster.UsesRedis)
        {
            var redis = RedisConnection.Parse(cluster.RedisClustering!);
            silo.UseRedisClustering(options => options.ConfigurationOptions = redis)
                .AddMembershipTableKeeper()
                .Configure<ClusterOptions>(options => (options.ClusterId, options.ServiceId) = (cluster.ClusterId, cluster.ServiceId))
                .Configure<EndpointOptions>(options =>
                {
                    options.SiloPort = cluster.SiloPort;
                    options.GatewayPort = cluster.GatewayPort;
                    if (advertised is not null)
                    {
                        options.AdvertisedIPAddress = advertised;
                    }
                });
        }
        else
        {
            silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, serviceId: cluster.ServiceId, clusterId: cluster.ClusterId);
            if (advertised is not null)
            {
                silo.Configure<EndpointOptions>(options => options.AdvertisedIPAddress = advertised);
            }
        }
        silo.Configure<SiloOptions>(options => options.SiloName = cluster.EffectiveSiloName);
        // Orleans' own options class, bound and checked like ours: a bad value stops the start naming its key.
        silo.Services.AddSettings<ClusterMembershipOptions>(MembershipSection);
        return silo;
    }

    /// <summary>Refuses to start when another process listens on the silo or gateway port (see <see cref="PortCheck"/>).</summary>
    public static void EnsurePortsFree(SiloClusterOptions cluster)
    {
        // Without an advertised address Orleans picks one itself: check every local address then.
        var address = cluster.AdvertisedAddress is { } advertised ? IPAddress.Parse(advertised)
            : cluster.UsesRedis ? IPAddress.Any
            : IPAddress.Loopback;
        PortCheck.EnsureFree(address, cluster.SiloPort, $"{SiloClusterOptions.SectionName}:{nameof(cluster.SiloPort)}");
        PortCheck.EnsureFree(address, cluster.GatewayPort, $"{SiloClusterOptions.SectionName}:{nameof(cluster.GatewayPort)}");
    }
}
