using Newsstand.Workloads;

namespace Newsstand.Grains;

/// <summary>
/// One billing sheet job (key: its job id): writes the sheet of a date to <c>billing-&lt;date&gt;.csv</c> in the
/// data directory and totals its payable. Its status is kept in the database: after a restart a job that
/// was queued or running is resumed, never left "running".
/// </summary>
public interface IBillingSheetJobGrain : IGrainWithStringKey
{
    /// <summary>Records the job as queued for <paramref name="billingDate"/> and starts it in the background; with
    /// <paramref name="answer"/>, the answer to the caller's <c>Idempotency-Key</c> is committed with the job's row.</summary>
    Task<BillingJobStatus> StartAsync(DateOnly billingDate, Idempotency.IdempotencyRecord? answer = null);

    /// <summary>The job's status; throws <see cref="Errors.WorkloadNotFoundException"/> for an unknown job.</summary>
    Task<BillingJobStatus> GetAsync();

    /// <summary>The job's status once it has finished, or its current status after <paramref name="timeout"/> (at most 20 s).</summary>
    Task<BillingJobStatus> WaitAsync(TimeSpan timeout);

    /// <summary>Runs the job again if it is recorded as queued or running but no silo is running it (after a restart).</summary>
    Task ResumeAsync();

    /// <summary>The sheet's bytes in order, in chunks; throws <see cref="Errors.JobNotReadyException"/> before the job succeeded.</summary>
    IAsyncEnumerable<byte[]> ReadSheetAsync();
}
