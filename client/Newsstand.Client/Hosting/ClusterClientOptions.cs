using System.ComponentModel.DataAnnotations;

namespace Newsstand.Client.Hosting;

/// <summary>Where the web client finds the cluster (section <c>Orleans</c>); the defaults find a local silo.</summary>
public sealed class ClusterClientOptions
{
    public const string SectionName = "Orleans";

    [Required]
    public string ClusterId { get; set; } = "nsms";

    [Required]
    public string ServiceId { get; set; } = "nsms";

    public const int DefaultGatewayPort = 30000;

    /// <summary>Gateway ports of silos on this machine; none configured means the default silo's.</summary>
    // No initializer: the configuration binder appends to an existing array instead of replacing it.
    public int[] GatewayPorts { get; set; } = [];
}
