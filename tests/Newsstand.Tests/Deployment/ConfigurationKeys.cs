extern alias silo;
using System.Reflection;
using Newsstand.Api.Hosting;
using Newsstand.Client.Hosting;
using Newsstand.Data;
using Newsstand.Hosting;
using Newsstand.Records;
using Newsstand.Security;
using Orleans.Configuration;
using SiloHosting = silo::Newsstand.Silo.Hosting;

namespace Newsstand.Tests.Deployment;

/// <summary>
/// The configuration keys each host reads, taken from the options classes it binds (their public
/// properties) plus the few keys the .NET host and the OpenTelemetry SDK read themselves.
/// </summary>
internal static class ConfigurationKeys
{
    /// <summary>Read by the .NET host (listen URLs, shutdown timeout) and the OpenTelemetry SDK.</summary>
    private static readonly string[] HostKeys =
    [
        "Urls", "DOTNET_SHUTDOWNTIMEOUTSECONDS", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL",
        "OTEL_EXPORTER_OTLP_HEADERS", "OTEL_RESOURCE_ATTRIBUTES", "OTEL_SERVICE_NAME",
    ];

    public static HashSet<string> Silo { get; } = Keys(
        (SiloHosting.SiloClusterOptions.SectionName, typeof(SiloHosting.SiloClusterOptions)),
        (SiloHosting.ClusteringExtensions.MembershipSection, typeof(ClusterMembershipOptions)),
        (SiloHosting.DashboardAccessOptions.SectionName, typeof(SiloHosting.DashboardAccessOptions)),
        (ClusterTlsOptions.SectionName, typeof(ClusterTlsOptions)),
        (SiloHosting.ProfileKeyOptions.SectionName, typeof(SiloHosting.ProfileKeyOptions)),
        (SiloHosting.ServedApiOptions.SectionName, typeof(SiloHosting.ServedApiOptions)),
        (DatabaseOptions.SectionName, typeof(DatabaseOptions)),
        (HashingOptions.SectionName, typeof(HashingOptions)),
        (WholeListLeaseOptions.SectionName, typeof(WholeListLeaseOptions)));

    public static HashSet<string> Client { get; } = Keys(
        (ClusterClientOptions.SectionName, typeof(ClusterClientOptions)),
        (ClusteringExtensions.MessagingSection, typeof(ClientMessagingOptions)),
        (ClusterTlsOptions.SectionName, typeof(ClusterTlsOptions)),
        (HeavyRequestOptions.SectionName, typeof(HeavyRequestOptions)),
        (TrustedProxyOptions.SectionName, typeof(TrustedProxyOptions)),
        (WholeListLeaseOptions.SectionName, typeof(WholeListLeaseOptions)));

    /// <summary>A silo that serves the API itself (<c>Silo:ServeApi</c>) reads the API's own keys too.</summary>
    public static HashSet<string> CoHostedSilo { get; } = new(Silo.Concat(Keys(
        (HeavyRequestOptions.SectionName, typeof(HeavyRequestOptions)),
        (TrustedProxyOptions.SectionName, typeof(TrustedProxyOptions)))), StringComparer.OrdinalIgnoreCase);

    /// <summary>The configuration key an environment variable sets (<c>A__B</c> is <c>A:B</c>).</summary>
    public static string KeyOf(string variable) => variable.Replace("__", ":", StringComparison.Ordinal);

    private static HashSet<string> Keys(params (string Section, Type Options)[] bound)
    {
        var keys = new HashSet<string>(HostKeys, StringComparer.OrdinalIgnoreCase);
        foreach (var (section, options) in bound)
        {
            foreach (var property in options.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
            {
                keys.Add($"{section}:{property.Name}");
            }
        }
        return keys;
    }
}
