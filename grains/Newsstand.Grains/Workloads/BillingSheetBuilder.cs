using Newsstand.Grains;
using Newsstand.Records;

namespace Newsstand.Workloads;

/// <summary>
/// Builds the billing sheet of a date: walks the billing table with the batched scan and writes the date's billings,
/// each with its vendor's account (looked up from the chunks that own the vendors, a batch at a time), to a
/// <see cref="BillingSheetWriter"/>. Once it has counted the table and after each scanned batch it reports its progress to the caller.
/// </summary>
internal sealed class BillingSheetBuilder(IGrainFactory grains)
{
    public const int ScanBatch = 256;

    /// <summary>How far a build has come: rows scanned of the table's rows, lines written and their payable total.</summary>
    public readonly record struct Progress(long RowsScanned, long RowsTotal, int Lines, double Total);

    /// <summary>Writes the sheet of <paramref name="date"/> to <paramref name="sheet"/> (not committed) and answers the final progress.</summary>
    public async Task<Progress> BuildAsync(DateOnly date, BillingSheetWriter sheet, Func<Progress, Task> onBatch, CancellationToken cancellationToken)
    {
        var progress = new Progress(0, await grains.TableIndex<BillingRecord>().CountAsync(), 0, 0);
        await onBatch(progress);
        var matches = new List<BillingRecord>();
        await foreach (var billing in grains.ScanAsync<BillingRecord>(ScanBatch, cancellationToken))
        {
            progress = progress with { RowsScanned = progress.RowsScanned + 1 };
            if (billing.DateBilled == date)
            {
                matches.Add(billing);
            }
            if (progress.RowsScanned % ScanBatch == 0)
            {
                progress = await WriteLinesAsync(sheet, matches, progress);
                await onBatch(progress);
            }
        }
        progress = await WriteLinesAsync(sheet, matches, progress);
        cancellationToken.ThrowIfCancellationRequested();
        return progress;
    }

    /// <summary>Writes <paramref name="billings"/> with their vendors and clears the list.</summary>
    private async Task<Progress> WriteLinesAsync(BillingSheetWriter sheet, List<BillingRecord> billings, Progress progress)
    {
        var lookups = billings.Select(b => b.VendorId).Distinct().GroupBy(TableSchema.ChunkOf)
            .Select(chunk => grains.TableChunk<VendorRecord>(chunk.Key).FindAsync([.. chunk]));
        var vendors = (await Task.WhenAll(lookups)).SelectMany(found => found).ToDictionary(v => v.Id);
        foreach (var billing in billings)
        {
            await sheet.WriteAsync(billing, vendors.GetValueOrDefault(billing.VendorId));
            progress = progress with { Lines = progress.Lines + 1, Total = progress.Total + billing.Payable };
        }
        billings.Clear();
        return progress;
    }
}
