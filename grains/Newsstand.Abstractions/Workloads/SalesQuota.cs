namespace Newsstand.Workloads;

/// <summary>
/// One sale against its quota: cost = copies_issued × 5.0, projected = cost − revenue; the quota is met
/// when projected − profit ≤ 0. A sale that cannot be evaluated carries its <see cref="Error"/> instead.
/// </summary>
[GenerateSerializer, Immutable, Alias("Newsstand.QuotaEvaluation")]
public sealed record QuotaEvaluation(
    [property: Id(0)] string RunId,
    [property: Id(1)] int SaleId,
    [property: Id(2)] double? Cost,
    [property: Id(3)] double? Projected,
    [property: Id(4)] double Profit,
    [property: Id(5)] bool MeetsQuota,
    [property: Id(6)] string? Error);

/// <summary>States of a quota evaluation run.</summary>
public static class QuotaRunStates
{
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";
}

/// <summary>The latest quota evaluation run over all sales: its counts so far and its last evaluation.</summary>
[GenerateSerializer, Immutable, Alias("Newsstand.QuotaRun")]
public sealed record QuotaRun(
    [property: Id(0)] string RunId,
    [property: Id(1)] string Status,
    [property: Id(2)] DateTimeOffset StartedAt,
    [property: Id(3)] DateTimeOffset? FinishedAt,
    [property: Id(4)] int Evaluated,
    [property: Id(5)] int Met,
    [property: Id(6)] int Missed,
    [property: Id(7)] int Errors,
    [property: Id(8)] QuotaEvaluation? Last,
    [property: Id(9)] string? Error);
