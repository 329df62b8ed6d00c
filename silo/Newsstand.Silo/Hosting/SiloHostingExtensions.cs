using Microsoft.Extensions.Diagnostics.HealthChecks;
using Newsstand.Grains;
using Newsstand.Hosting;
using Newsstand.Records;
using Orleans.Dashboard;

namespace Newsstand.Silo.Hosting;

internal static class SiloHostingExtensions
{
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";

    /// <summary>
    /// The Orleans silo with the newsstand grains, clustering (<see cref="ClusteringExtensions"/>), activity
    /// propagation, the dashboard, telemetry and, when configured, TLS (<see cref="ClusterTls"/>). Cluster options
    /// are validated, the silo and gateway ports checked and the certificate read before anything starts; a
    /// problem throws <see cref="StartupCheckException"/>.
    /// </summary>
    public static WebApplicationBuilder AddNewsstandSilo(this WebApplicationBuilder builder)
    {
        var cluster = SiloClusterOptionsValidator.Read(builder.Configuration);
        ClusteringExtensions.EnsurePortsFree(cluster);
        var tls = ClusterTls.Load(builder.Configuration);
        builder.Services.AddOptions<SiloClusterOptions>().BindConfiguration(SiloClusterOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<SiloClusterOptions>, SiloClusterOptionsValidator>();
        builder.UseOrleans(silo =>
        {
            silo.UseNewsstandClustering(cluster, builder.Configuration)
                .AddActivityPropagation()
                .AddNewsstandGrains()
                .AddDashboard();
            if (tls is not null)
            {
                silo.UseClusterTls(tls);
            }
        });
        builder.AddNewsstandTelemetry(cluster);
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
        app.MapHealthChecks(LivePath, new() { Predicate = _ => false });
        app.MapHealthChecks(ReadyPath, new() { Predicate = check => check.Tags.Contains("ready") });
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
