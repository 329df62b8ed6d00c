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

    /// <summary>Gateway ports of silos on this machine.</summary>
    public int[] GatewayPorts { get; set; } = [30000];
}
