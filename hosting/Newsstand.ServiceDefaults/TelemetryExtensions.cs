using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Newsstand.Hosting;

/// <summary>
/// OpenTelemetry for either host: traces (incoming HTTP, Orleans calls and grains, our own sources),
/// metrics (ASP.NET Core, Orleans, the runtime, our own meters) and logs, exported over OTLP when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set; without it nothing is set up, so nothing is collected for nobody
/// (per request that was an ASP.NET Core span's listener and, per grain call, propagation-only spans and
/// metric aggregation: about 3% of the web client's and 5% of the silo's CPU on the read path, see
/// bench/README.md). Our own sources and meters are registered by the
/// <see cref="NewsstandPrefix"/> wildcard, so one added later is exported without a change here.
/// Each host adds what is its own (PostgreSQL on the silo, outgoing HTTP on the web client).
/// </summary>
public static class TelemetryExtensions
{
    public const string NewsstandPrefix = "Newsstand.*";
    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string OrleansMeter = "Microsoft.Orleans";

    public static readonly string[] OrleansSources = ["Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application"];

    /// <summary>The service version: the assembly's informational version.</summary>
    public static string Version { get; } =
        typeof(TelemetryExtensions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <param name="builder">The host being built.</param>
    /// <param name="serviceName">The host's <c>service.name</c>.</param>
    /// <param name="instanceId">Its <c>service.instance.id</c> (the silo name; the client's host and process).</param>
    /// <param name="isTraced">Which incoming requests get a span (health probes and polling would bury the rest).</param>
    /// <param name="tracing">More sources or instrumentation of this host.</param>
    /// <param name="metrics">More meters or instrumentation of this host.</param>
    public static WebApplicationBuilder AddNewsstandTelemetry(this WebApplicationBuilder builder, string serviceName, string instanceId,
        Func<HttpContext, bool> isTraced, Action<TracerProviderBuilder>? tracing = null, Action<MeterProviderBuilder>? metrics = null)
    {
        if (string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointKey]))
        {
            return builder;
        }
        // Endpoint, protocol and headers come from the standard OTEL_EXPORTER_OTLP_* settings; the sampler is the SDK's
        // (OTEL_TRACES_SAMPLER).
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName, serviceVersion: Version, serviceInstanceId: instanceId))
            .WithTracing(traces =>
            {
                traces.AddProcessor<BackgroundSpanFilter>()
                    .AddAspNetCoreInstrumentation(options => options.Filter = isTraced)
                    .AddSource(OrleansSources)
                    .AddSource(NewsstandPrefix);
                tracing?.Invoke(traces);
            })
            .WithMetrics(meters =>
            {
                meters.AddAspNetCoreInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddMeter(OrleansMeter, NewsstandPrefix);
                metrics?.Invoke(meters);
            })
            .WithLogging(logging => { }, options =>
            {
                options.IncludeFormattedMessage = true;
                options.IncludeScopes = true;
            })
            .UseOtlpExporter();
        return builder;
    }
}
