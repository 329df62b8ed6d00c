using Microsoft.EntityFrameworkCore;
using Newsstand.Data;

namespace Newsstand.Workloads;

/// <summary>
/// Billing sheets in the database (<c>billing_sheet_part</c>), so a sheet needs no shared volume and any silo serves
/// its download. A sheet is stored in parts of at most <see cref="BillingSheetWriter.PartBytes"/> under its job and run: a run writes
/// only its own parts, and the job row names the run whose sheet it serves once that run succeeded, so a reader
/// sees a whole sheet or none and two runs of one job never mix. Replaceable (a test silo injects faults with a decorator).
/// </summary>
internal interface IBillingSheetStore
{
    /// <summary>Stores part <paramref name="part"/> of <paramref name="run"/>; completes once it is committed.</summary>
    Task SavePartAsync(string jobId, string run, int part, byte[] data);

    /// <summary>The parts of <paramref name="run"/> in order, read one at a time; none if the sheet is gone.</summary>
    IAsyncEnumerable<byte[]> ReadAsync(string jobId, string run);

    /// <summary>Deletes the parts of the job's runs other than <paramref name="keep"/> (runs cut short, or failed).</summary>
    Task DiscardOtherRunsAsync(string jobId, string? keep);

    /// <summary>Deletes the sheets of the date's other succeeded jobs, called by the job that succeeded last: a date keeps its
    /// latest sheet, as the one file per date did. Jobs still queued or running keep theirs.</summary>
    Task DiscardEarlierSheetsAsync(DateOnly date, string jobId);
}

/// <summary>The billing sheets in the database (<c>billing_sheet_part</c>, key: job, run, part number).</summary>
internal sealed class DatabaseBillingSheetStore(NewsstandDb db) : IBillingSheetStore
{
    public Task SavePartAsync(string jobId, string run, int part, byte[] data) =>
        db.InsertAsync(new BillingSheetPartEntity(jobId, run, part, data));

    public async IAsyncEnumerable<byte[]> ReadAsync(string jobId, string run)
    {
        for (var part = 0; ; part++)
        {
            var number = part;
            var data = await db.ReadAsync(context => context.Set<BillingSheetPartEntity>()
                .Where(p => p.JobId == jobId && p.Run == run && p.Part == number)
                .Select(p => p.Data)
                .SingleOrDefaultAsync());
            if (data is null)
            {
                yield break;
            }
            yield return data;
        }
    }

    public Task DiscardOtherRunsAsync(string jobId, string? keep) =>
        db.DeleteAsync(context => context.Set<BillingSheetPartEntity>()
            .Where(p => p.JobId == jobId && p.Run != keep)
            .ExecuteDeleteAsync());

    public Task DiscardEarlierSheetsAsync(DateOnly date, string jobId) =>
        db.DeleteAsync(context => context.Set<BillingSheetPartEntity>()
            .Where(p => p.JobId != jobId && context.Set<BillingJobEntity>().Any(j => j.Id == p.JobId && j.BillingDate == date
                && j.Status == JobStates.Succeeded))
            .ExecuteDeleteAsync());
}
