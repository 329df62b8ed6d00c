using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Newsstand.Tests.Infrastructure;
using Orleans.Configuration;

namespace Newsstand.Tests.Processes;

/// <summary>An Orleans client of a <see cref="ProcessCluster"/> that asks Orleans' management grain where grains live.</summary>
internal sealed class ManagementClient(IHost host) : IAsyncDisposable
{
    /// <summary>Connects to <paramref name="cluster"/>; <paramref name="configure"/> adds to the client (e.g. TLS).</summary>
    public static async Task<ManagementClient> ConnectAsync(ProcessCluster cluster, Action<IClientBuilder>? configure = null)
    {
        var host = Host.CreateDefaultBuilder()
            .UseOrleansClient(client =>
            {
                client.UseRedisClustering(cluster.RedisConnection)
                    .Configure<ClusterOptions>(options => (options.ClusterId, options.ServiceId) = (cluster.ClusterId, cluster.ServiceId));
                configure?.Invoke(client);
            })
            .Build();
        await host.StartAsync();
        return new ManagementClient(host);
    }

    /// <summary>
    /// Connects to one silo's gateway only: the management grain is a stateless worker, so it answers from that
    /// silo's own membership view.
    /// </summary>
    public static Task<ManagementClient> ConnectToGatewayAsync(ProcessCluster cluster, SiloProcess silo) =>
        ConnectToGatewayAsync(silo.GatewayPort, cluster.ClusterId, cluster.ServiceId);

    /// <summary>Connects to the gateway on <paramref name="gatewayPort"/> only (a single silo's cluster ids are its defaults).</summary>
    public static async Task<ManagementClient> ConnectToGatewayAsync(int gatewayPort, string clusterId = "nsms", string serviceId = "nsms")
    {
        var host = Host.CreateDefaultBuilder()
            .UseOrleansClient(client => client.UseStaticClustering(new IPEndPoint(IPAddress.Loopback, gatewayPort))
                .Configure<ClusterOptions>(options => (options.ClusterId, options.ServiceId) = (clusterId, serviceId)))
            .Build();
        await host.StartAsync();
        return new ManagementClient(host);
    }

    /// <summary>Our grain activations (types under <c>Newsstand.</c>) per silo port.</summary>
    public async Task<Dictionary<int, int>> NewsstandActivationsAsync()
    {
        var grains = host.Services.GetRequiredService<IGrainFactory>();
        var statistics = await grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        return statistics.Where(s => s.GrainType.StartsWith("Newsstand.", StringComparison.Ordinal))
            .GroupBy(s => s.SiloAddress.Endpoint.Port)
            .ToDictionary(g => g.Key, g => g.Count());
    }

    /// <summary>Silo ports hosting an activation whose grain type contains <paramref name="type"/> and whose id contains <paramref name="key"/>.</summary>
    public async Task<int[]> PortsHostingAsync(string type, string key)
    {
        var statistics = await host.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        return [.. statistics.Where(s => s.GrainType.Contains(type, StringComparison.Ordinal) && s.GrainId.ToString().Contains(key, StringComparison.Ordinal))
            .Select(s => s.SiloAddress.Endpoint.Port).Distinct()];
    }

    /// <summary>
    /// Deactivates every idle activation. The first silo to start warms every table owner before the
    /// others join; after this, the next calls place the grains across all silos.
    /// </summary>
    public Task ReplaceIdleActivationsAsync() =>
        host.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

    /// <summary>The silos the cluster's membership holds active, by silo port.</summary>
    public async Task<int[]> ActiveSiloPortsAsync()
    {
        var hosts = await host.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
        return [.. hosts.Keys.Select(silo => silo.Endpoint.Port).Order()];
    }

    /// <summary>Class names (without namespace) of our grain types that have activations now.</summary>
    public async Task<string[]> ActivatedNewsstandGrainClassesAsync()
    {
        var grains = host.Services.GetRequiredService<IGrainFactory>();
        var statistics = await grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        // Orleans reports a type as "namespace.class,assembly": the class is the last dotted part before the comma.
        return statistics.Select(s => s.GrainType.Split(',')[0]).Where(type => type.StartsWith("Newsstand.", StringComparison.Ordinal))
            .Select(type => type[(type.LastIndexOf('.') + 1)..]).Distinct().Order().ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await host.StopAsync();
        host.Dispose();
    }
}
