using System.ComponentModel.DataAnnotations;
using Newsstand.Hosting;

namespace Newsstand.Client.Hosting;

/// <summary>Where the web client finds the cluster (section <c>Orleans</c>); the defaults find a local silo.</summary>
public sealed class ClusterClientOptions : ClusterIdentityOptions
{
    public const int DefaultGatewayPort = 30000;

    /// <summary>
    /// Gateway ports of silos on this machine (localhost clustering); none configured means the default silo's.
    /// Not used with <see cref="ClusterIdentityOptions.RedisClustering"/>: the client then finds every live gateway through Redis.
    /// </summary>
    public int[] GatewayPorts { get; set; } = [];

    public override IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var port in GatewayPorts.Where(port => port is < 1 or > 65535))
        {
            yield return new($"Gateway port {port} is outside 1-65535.", [nameof(GatewayPorts)]);
        }
        foreach (var result in base.Validate(validationContext))
        {
            yield return result;
        }
    }
}
