using Microsoft.Extensions.Diagnostics.HealthChecks;
using Newsstand.Grains;
using Newsstand.Hosting;
using Newsstand.Records;
using Orleans.Dashboard;

namespace Newsstand.Silo.Hosting;

internal static class SiloHostingExtensions
{
    /// <summary>The Orleans silo with the newsstand grains, localhost clustering and the dashboard.</summary>
    public static WebApplicationBuilder AddNewsstandSilo(this WebApplicationBuilder builder)
    {
        var cluster = builder.Configuration.GetSection(SiloClusterOptions.SectionName).Get<SiloClusterOptions>() ?? new();
        builder.UseOrleans(silo => silo
            .UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, serviceId: cluster.ServiceId, clusterId: cluster.ClusterId)
            .AddNewsstandGrains()
            .AddDashboard());
        return builder;
    }

    /// <summary><c>/health/live</c>: the process answers; <c>/health/ready</c>: the silo answers from the login table's index.</summary>
    public static WebApplicationBuilder AddSiloHealthChecks(this WebApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks().AddCheck<TableOwnerHealthCheck>("grains", tags: ["ready"]);
        return builder;
    }

    public static WebApplication MapSiloHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new() { Predicate = check => check.Tags.Contains("ready") });
        return app;
    }

    private sealed class TableOwnerHealthCheck(IGrainFactory grains) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            await grains.TableIndex<LoginView>().CountAsync().WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            return HealthCheckResult.Healthy();
        }
    }
}
