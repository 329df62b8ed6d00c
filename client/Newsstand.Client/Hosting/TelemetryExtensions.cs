using System.Globalization;
using System.Reflection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Newsstand.Client.Hosting;

/// <summary>
/// OpenTelemetry for the web client: traces (each request's ASP.NET Core span, the Orleans calls it
/// makes, outgoing HTTP), metrics (ASP.NET Core, Orleans, HTTP, the runtime) and logs; exported over OTLP
/// when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set. Our own sources and meters are registered by the
/// <see cref="NewsstandPrefix"/> wildcard, so one added later is exported without a change here.
/// </summary>
internal static class TelemetryExtensions
{
    public const string ServiceName = "nsms-client";
    public const string NewsstandPrefix = "Newsstand.*";
    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string OrleansMeter = "Microsoft.Orleans";

    public static readonly string[] OrleansSources = ["Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application"];

    /// <summary>The service version: the assembly's informational version.</summary>
    public static string Version { get; } =
        typeof(TelemetryExtensions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    // The host name is the pod name in Kubernetes; the process id tells clients on one machine apart.
    private static string InstanceId => $"{Environment.MachineName}-{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}";

    public static WebApplicationBuilder AddNewsstandTelemetry(this WebApplicationBuilder builder)
    {
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName, serviceVersion: Version, serviceInstanceId: InstanceId))
            .WithTracing(tracing => tracing
                .AddProcessor<BackgroundSpanFilter>()
                .AddAspNetCoreInstrumentation(options => options.Filter = context => !context.Request.Path.StartsWithSegments("/health"))
                .AddHttpClientInstrumentation()
                .AddSource(OrleansSources)
                .AddSource(NewsstandPrefix))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
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
}
