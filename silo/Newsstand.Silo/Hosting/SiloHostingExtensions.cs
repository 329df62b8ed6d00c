using Newsstand.Hosting;
using Npgsql;
using Orleans.Dashboard;

namespace Newsstand.Silo.Hosting;

internal static class SiloHostingExtensions
{
    public const string ServiceName = "nsms-silo";

    /// <summary>
    /// The Orleans silo with the newsstand grains, clustering (<see cref="ClusteringExtensions"/>), activity
    /// propagation, the dashboard, telemetry and, when configured, TLS (<see cref="ClusterTls"/>). Cluster options
    /// are validated, the silo and gateway ports checked and the certificate read before anything starts; a
    /// problem throws <see cref="StartupCheckException"/>.
    /// </summary>
    public static WebApplicationBuilder AddNewsstandSilo(this WebApplicationBuilder builder)
    {
        var cluster = Settings.Read<SiloClusterOptions>(builder.Configuration, SiloClusterOptions.SectionName);
        ClusteringExtensions.EnsurePortsFree(cluster);
        var tls = ClusterTlsOptions.LoadTrust(builder.Configuration);
        builder.Services.AddSettings<SiloClusterOptions>(SiloClusterOptions.SectionName);
        builder.UseOrleans(silo =>
        {
            silo.UseNewsstandClustering(cluster)
                .AddActivityPropagation()
                .AddNewsstandGrains()
                .AddDashboard();
            if (tls is not null)
            {
                silo.UseClusterTls(tls);
            }
        });
        // Traces of the silo also show its PostgreSQL commands (SQLite has no stable instrumentation).
        builder.AddNewsstandTelemetry(ServiceName, cluster.EffectiveSiloName, IsTraced, tracing => tracing.AddNpgsql());
        builder.AddGrainHealthCheck();
        return builder;
    }

    // Probes and the dashboard's polling would bury the requests people look for.
    private static bool IsTraced(HttpContext context) =>
        !context.Request.Path.StartsWithSegments("/health") && !context.Request.Path.StartsWithSegments(DashboardExtensions.RoutePrefix);
}
