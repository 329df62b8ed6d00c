using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace Newsstand.Workloads;

/// <summary>
/// One notification of a background workload: a unique <see cref="Id"/>, an <see cref="Event"/> name and
/// its <see cref="Data"/> as JSON (the API's snake_case contract), stamped with the workload clock's time.
/// </summary>
[GenerateSerializer, Immutable, Alias("Newsstand.Notification")]
public sealed record Notification(
    [property: Id(0)] string Id,
    [property: Id(1)] string Event,
    [property: Id(2)] string Data,
    [property: Id(3)] DateTimeOffset Time);

/// <summary>The topics of the notifications feed and the Orleans stream each one travels on.</summary>
public static class NotificationTopics
{
    public const string Quota = "quota";
    public const string Monitor = "monitor";
    public const string Jobs = "jobs";

    /// <summary>Every topic takes one stream of its namespace with this key.</summary>
    public const string StreamKey = "all";

    private static readonly FrozenDictionary<string, string> Namespaces = new Dictionary<string, string>
    {
        [Quota] = ProviderNames.QuotaNotifications,
        [Monitor] = ProviderNames.MonitorNotifications,
        [Jobs] = ProviderNames.JobNotifications,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static IReadOnlyCollection<string> All => Namespaces.Keys;

    /// <summary>The stream namespace of <paramref name="topic"/> (the stream's key is <see cref="StreamKey"/>), or false for an unknown topic.</summary>
    public static bool TryGetNamespace(string topic, [NotNullWhen(true)] out string? streamNamespace) =>
        Namespaces.TryGetValue(topic, out streamNamespace);

    public static string NamespaceOf(string topic) =>
        TryGetNamespace(topic, out var ns) ? ns : throw new ArgumentException($"Unknown topic '{topic}'.", nameof(topic));
}
