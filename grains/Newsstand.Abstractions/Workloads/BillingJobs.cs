namespace Newsstand.Workloads;

/// <summary>The states of a billing sheet job, as the API spells them.</summary>
public static class JobStates
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";

    /// <summary>Whether a job in <paramref name="status"/> still has work to do (it is resumed after a restart).</summary>
    public static bool IsActive(string status) => status is Queued or Running;
}

/// <summary>
/// A billing sheet job: which date, how far it got (billings scanned of the table's rows at its start),
/// and once done the sheet's lines, the total payable of that date and the sheet's file name.
/// </summary>
[GenerateSerializer, Immutable, Alias("Newsstand.BillingJobStatus")]
public sealed record BillingJobStatus(
    [property: Id(0)] string JobId,
    [property: Id(1)] DateOnly BillingDate,
    [property: Id(2)] string Status,
    [property: Id(3)] double Progress,
    [property: Id(4)] long RowsScanned,
    [property: Id(5)] long RowsTotal,
    [property: Id(6)] int Lines,
    [property: Id(7)] double? TotalPayable,
    [property: Id(8)] string? FileName,
    [property: Id(9)] string? Error,
    [property: Id(10)] DateTimeOffset CreatedAt,
    [property: Id(11)] DateTimeOffset? StartedAt,
    [property: Id(12)] DateTimeOffset? FinishedAt,
    [property: Id(13)] int Attempts);

/// <summary>The answer of <c>POST /ch08/billing/save/csv</c> (202).</summary>
[GenerateSerializer, Immutable, Alias("Newsstand.JobAccepted")]
public sealed record JobAccepted([property: Id(0)] string Message, [property: Id(1)] string JobId);
