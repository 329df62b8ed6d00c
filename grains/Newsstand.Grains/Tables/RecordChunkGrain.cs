using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Newsstand.Data;
using Newsstand.Grains;
using Newsstand.Hosting;
using Newsstand.Records;
using Orleans.Concurrency;

namespace Newsstand.Tables;

/// <summary>
/// The one owner of every record table but login: a chunk of ids. Duplicate ids are caught in memory;
/// references are checked by the database's foreign keys inside the group commit, which names every
/// missing one (422), so a rejected row changes nothing.
/// </summary>
[Reentrant] // State changes only in the synchronous tail after a commit; two writes of one id never overlap.
internal sealed class RecordChunkGrain<TRecord>(NewsstandDb db, MemoryReclaimer memory, ILogger<RecordChunkGrain<TRecord>> logger)
    : TableChunkGrain<TRecord, TRecord>(db, memory, logger), IRecordChunkGrain<TRecord>
    where TRecord : class, ITableRecord
{
    public Task<TRecord> AddAsync(TRecord record) => InsertAsync(record, Db.InsertAsync);

    public Task<TRecord> AddWithCompanionAsync(TRecord record, CompanionRow companion) =>
        InsertAsync(record, row => Db.WriteUnitAsync(
            new WriteRow(row, EntityState.Added),
            new WriteRow(companion.Row, companion.Expected is null ? EntityState.Added : EntityState.Modified, companion.Expected)));

    protected override TRecord View(TRecord row) => row;

    /// <summary>Reserves the id, commits the row through <paramref name="write"/>, then shows it.</summary>
    private async Task<TRecord> InsertAsync(TRecord record, Func<TRecord, Task> write)
    {
        BeginInsert(record.Id);
        Task indexed;
        try
        {
            await write(record);
            indexed = CommittedAsync(record);
        }
        finally
        {
            EndWrite(record.Id);
        }
        await indexed;
        return record;
    }
}
