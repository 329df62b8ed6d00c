using System.ComponentModel.DataAnnotations;
using System.Net;
using Newsstand.Hosting;

namespace Newsstand.Silo.Hosting;

/// <summary>
/// How this silo joins its cluster (section <c>Orleans</c>). The defaults form a one-machine cluster
/// (localhost clustering); <see cref="ClusterIdentityOptions.RedisClustering"/> switches to Redis clustering.
/// </summary>
public sealed class SiloClusterOptions : ClusterIdentityOptions
{
    [Range(1, 65535)]
    public int SiloPort { get; set; } = 11111;

    [Range(1, 65535)]
    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// The IP address other silos and clients reach this silo at (the pod IP in Kubernetes). Unset:
    /// loopback with localhost clustering, the machine's first non-loopback address with Redis.
    /// </summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>This silo's name on the dashboard and in telemetry (the pod name in Kubernetes); unset: host name and silo port.</summary>
    [MaxLength(200)]
    public string? SiloName { get; set; }

    public string EffectiveSiloName => string.IsNullOrWhiteSpace(SiloName) ? $"{Environment.MachineName}-{SiloPort}" : SiloName;

    public override IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (SiloPort == GatewayPort)
        {
            yield return new($"must differ from {SectionName}:{nameof(GatewayPort)} (both are {SiloPort}).", [nameof(SiloPort)]);
        }
        if (AdvertisedAddress is not null && !IPAddress.TryParse(AdvertisedAddress, out _))
        {
            yield return new("is not an IP address.", [nameof(AdvertisedAddress)]);
        }
        foreach (var result in base.Validate(validationContext))
        {
            yield return result;
        }
    }
}
