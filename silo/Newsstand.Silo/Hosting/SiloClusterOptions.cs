using System.ComponentModel.DataAnnotations;

namespace Newsstand.Silo.Hosting;

/// <summary>How this silo joins its cluster (section <c>Orleans</c>); the defaults form a one-machine cluster.</summary>
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
}
