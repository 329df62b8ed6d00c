using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Newsstand.Grains;
using Newsstand.Records;

namespace Newsstand.Hosting;

/// <summary>
/// The health endpoints of either host: <c>/health/live</c> answers while the process runs;
/// <c>/health/ready</c> answers once a grain call succeeds (the login table's index answers its count),
/// which on the silo means the database was reached and the indexes warmed, and on the web client that a
/// gateway is connected.
/// </summary>
public static class HealthExtensions
{
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";

    private const string ReadyTag = "ready";

    public static WebApplicationBuilder AddGrainHealthCheck(this WebApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks().AddCheck<GrainCallHealthCheck>("grains", tags: [ReadyTag]);
        return builder;
    }

    public static WebApplication MapNewsstandHealth(this WebApplication app)
    {
        // Probes carry no token: health answers anyone (SPEC §9).
        app.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) }).AllowAnonymous();
        return app;
    }

    private sealed class GrainCallHealthCheck(IGrainFactory grains) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            await grains.TableIndex<LoginView>().CountAsync().WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            return HealthCheckResult.Healthy();
        }
    }
}
