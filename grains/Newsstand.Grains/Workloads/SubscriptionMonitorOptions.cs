using System.ComponentModel.DataAnnotations;

namespace Newsstand.Workloads;

/// <summary>The subscription monitor (section <c>SubscriptionMonitor</c>).</summary>
public sealed class SubscriptionMonitorOptions
{
    public const string SectionName = "SubscriptionMonitor";

    /// <summary>Time between two totals; the first total comes one period after the start.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan Period { get; set; } = TimeSpan.FromSeconds(5);
}
