using System.Globalization;
using Newsstand.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Newsstand.Client.Hosting;

/// <summary>The web client's telemetry: the shared setup (<see cref="Newsstand.Hosting.TelemetryExtensions"/>) plus its outgoing HTTP.</summary>
internal static class ClientTelemetry
{
    public const string ServiceName = "nsms-client";

    // The host name is the pod name in Kubernetes; the process id tells clients on one machine apart.
    private static string InstanceId => $"{Environment.MachineName}-{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}";

    public static WebApplicationBuilder AddClientTelemetry(this WebApplicationBuilder builder) =>
        builder.AddNewsstandTelemetry(ServiceName, InstanceId,
            isTraced: context => !context.Request.Path.StartsWithSegments("/health"),
            tracing: tracing => tracing.AddHttpClientInstrumentation(),
            metrics: metrics => metrics.AddHttpClientInstrumentation());
}
