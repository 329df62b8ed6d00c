using Newsstand.Workloads;

namespace Newsstand.Data;

/// <summary>A billing sheet job as stored: the system of record for its status, so no restart loses or strands it.
/// <see cref="SheetRun"/> names the run whose sheet the job serves (set when that run succeeded).</summary>
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
    int Attempts,
    string? SheetRun = null)
{
    public BillingJobStatus View => new(Id, BillingDate, Status, Progress, RowsScanned, RowsTotal, Lines, TotalPayable,
        Status == JobStates.Succeeded ? FileName : null, Error, CreatedAt, StartedAt, FinishedAt, Attempts);

    /// <summary>Share of the billing table scanned so far (1 once the job succeeded).</summary>
    public double Progress => Status == JobStates.Succeeded ? 1 : RowsTotal == 0 ? 0 : Math.Min(1, (double)RowsScanned / RowsTotal);
}

/// <summary>One part of a billing sheet as stored (key: job, run, part number): the sheet's bytes in order are its run's
/// parts by <see cref="Part"/>. Each run writes under its own <see cref="Run"/>, so two runs of one job never mix.</summary>
internal sealed record BillingSheetPartEntity(string JobId, string Run, int Part, byte[] Data);

/// <summary>A periodic monitor's durable state (key: the monitor's name): whether it runs, and its latest result.</summary>
internal sealed record MonitorStateEntity(string Id, bool Running, double? LatestTotal, DateTimeOffset? LatestAt, long Ticks);
