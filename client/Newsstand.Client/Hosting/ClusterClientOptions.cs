using System.ComponentModel.DataAnnotations;

namespace Newsstand.Client.Hosting;

/// <summary>Where the web client finds the cluster (section <c>Orleans</c>); the defaults find a local silo.</summary>
public sealed class ClusterClientOptions : IValidatableObject
{
    public const string SectionName = "Orleans";

    [Required]
    public string ClusterId { get; set; } = "nsms";

    [Required]
    public string ServiceId { get; set; } = "nsms";

    public const int DefaultGatewayPort = 30000;

    /// <summary>Gateway ports of silos on this machine (localhost clustering); none configured means the default silo's.</summary>
    // Empty, never the default port: the configuration binder appends to an existing array instead of replacing it.
    public int[] GatewayPorts { get; set; } = [];

    /// <summary>
    /// The silos' Redis clustering connection string; set, the client finds every live gateway through
    /// Redis and <see cref="GatewayPorts"/> is not used.
    /// </summary>
    public string? RedisClustering { get; set; }

    public bool UsesRedis => !string.IsNullOrWhiteSpace(RedisClustering);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var port in GatewayPorts.Where(port => port is < 1 or > 65535))
        {
            yield return new($"Gateway port {port} is outside 1-65535.", [nameof(GatewayPorts)]);
        }
        if (UsesRedis && RedisConnection.Problem(RedisClustering!) is { } problem)
        {
            yield return new($"{SectionName}:{nameof(RedisClustering)}: {problem}", [nameof(RedisClustering)]);
        }
    }
}
