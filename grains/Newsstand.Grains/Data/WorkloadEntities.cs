using Newsstand.Workloads;

namespace Newsstand.Data;

/// <summary>A billing sheet job as stored: the system of record for its status, so no restart loses or strands it.</summary>
internal sealed record BillingJobEntity(
    string Id,
    DateOnly BillingDate,
    string Status,
    long RowsScanned,
    long RowsTotal,
    int Lines,
    double? TotalPayable,
    string FileName,
    string? Error,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    int Attempts)
{
    public BillingJobStatus View => new(Id, BillingDate, Status, Progress, RowsScanned, RowsTotal, Lines, TotalPayable,
        Status == JobStates.Succeeded ? FileName : null, Error, CreatedAt, StartedAt, FinishedAt, Attempts);

    /// <summary>Share of the billing table scanned so far (1 once the job succeeded).</summary>
    public double Progress => Status == JobStates.Succeeded ? 1 : RowsTotal == 0 ? 0 : Math.Min(1, (double)RowsScanned / RowsTotal);
}

/// <summary>A periodic monitor's durable state (key: the monitor's name): whether it runs, and its latest result.</summary>
internal sealed record MonitorStateEntity(string Id, bool Running, double? LatestTotal, DateTimeOffset? LatestAt, long Ticks);
