namespace Newsstand.Workloads;

/// <summary>
/// The subscription monitor: whether it runs, its period, and the latest total amount sold (sum of
/// price × qty over every subscription) with the time it was computed.
/// </summary>
[GenerateSerializer, Immutable, Alias("Newsstand.MonitorStatus")]
public sealed record MonitorStatus(
    [property: Id(0)] bool Running,
    [property: Id(1)] double PeriodSeconds,
    [property: Id(2)] double? LatestTotal,
    [property: Id(3)] DateTimeOffset? LatestAt,
    [property: Id(4)] long Ticks);
