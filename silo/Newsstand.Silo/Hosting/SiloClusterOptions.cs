using System.ComponentModel.DataAnnotations;

namespace Newsstand.Silo.Hosting;

/// <summary>
/// How this silo joins its cluster (section <c>Orleans</c>). The defaults form a one-machine cluster
/// (localhost clustering); <see cref="RedisClustering"/> switches to Redis clustering.
/// </summary>
public sealed class SiloClusterOptions
{
    public const string SectionName = "Orleans";

    [Required]
    public string ClusterId { get; set; } = "nsms";

    [Required]
    public string ServiceId { get; set; } = "nsms";

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

    /// <summary>
    /// A StackExchange.Redis connection string (e.g. <c>127.0.0.1:6379</c>). Set: silos and clients find
    /// each other through Redis; unset: localhost clustering (one machine, one silo). Not
    /// <c>Orleans:Clustering</c>: Orleans reads that section itself and expects a provider type there.
    /// </summary>
    public string? RedisClustering { get; set; }

    public bool UsesRedis => !string.IsNullOrWhiteSpace(RedisClustering);

    public string EffectiveSiloName => string.IsNullOrWhiteSpace(SiloName) ? $"{Environment.MachineName}-{SiloPort}" : SiloName;
}
