using System.Reflection;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Newsstand.Silo.Hosting;

/// <summary>
/// OpenTelemetry for the silo: traces (incoming HTTP, Orleans calls, grains, PostgreSQL), metrics
/// (ASP.NET Core, Orleans, the runtime) and logs; exported over OTLP when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set. Our own sources and meters are registered by the
/// <see cref="NewsstandPrefix"/> wildcard, so a meter or source added later is exported without a change here.
/// </summary>
internal static class TelemetryExtensions
{
    public const string ServiceName = "nsms-silo";
    public const string NewsstandPrefix = "Newsstand.*";
    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static readonly string[] OrleansSources = ["Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application"];
    public const string OrleansMeter = "Microsoft.Orleans";

    public static WebApplicationBuilder AddNewsstandTelemetry(this WebApplicationBuilder builder, SiloClusterOptions cluster)
    {
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName, serviceVersion: Version, serviceInstanceId: cluster.EffectiveSiloName))
            .WithTracing(tracing => tracing
                .AddProcessor<BackgroundSpanFilter>()
                .AddAspNetCoreInstrumentation(options => options.Filter = IsTraced)
                .AddSource(OrleansSources)
                .AddSource(NewsstandPrefix)
                .AddNpgsql())
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(OrleansMeter, NewsstandPrefix))
            .WithLogging(logging => { }, options =>
            {
                options.IncludeFormattedMessage = true;
                options.IncludeScopes = true;
            });
        if (!string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointKey]))
        {
            // Endpoint, protocol and headers come from the standard OTEL_EXPORTER_OTLP_* settings.
            telemetry.UseOtlpExporter();
        }
        return builder;
    }

    /// <summary>The service version: the assembly's informational version.</summary>
    public static string Version { get; } =
        typeof(TelemetryExtensions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    // Probes and the dashboard's polling would bury the requests people look for.
    private static bool IsTraced(HttpContext context) =>
        !context.Request.Path.StartsWithSegments("/health") && !context.Request.Path.StartsWithSegments(DashboardExtensions.RoutePrefix);
}
