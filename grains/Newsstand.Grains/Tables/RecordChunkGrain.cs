using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Newsstand.Data;
using Newsstand.Errors;
using Newsstand.Grains;
using Newsstand.Hosting;
using Newsstand.Idempotency;
using Newsstand.Records;
using Orleans.Concurrency;

namespace Newsstand.Tables;

/// <summary>
/// The one owner of every record table but login: a chunk of ids. Duplicate ids are caught in memory;
/// references are checked by the database's foreign keys inside the group commit, which names every
/// missing one (422), so a rejected row changes nothing. A topic consumer that commits a batch itself
/// reserves its ids here first and settles them after its commit (<see cref="ChunkReservations{TRow}"/>).
/// </summary>
[Reentrant] // State changes only in the synchronous tail after a commit; two writes of one id never overlap.
internal sealed class RecordChunkGrain<TRecord>(NewsstandDb db, MemoryReclaimer memory, TimeProvider time,
    [FromKeyedServices(TimeProviderNames.Grains)] TimeProvider answerClock, ILogger<RecordChunkGrain<TRecord>> logger)
    : TableChunkGrain<TRecord, TRecord>(db, memory, logger), IRecordChunkGrain<TRecord>
    where TRecord : class, ITableRecord
{
    private static readonly TimeSpan LeaseCheck = TimeSpan.FromSeconds(15);
    private readonly ChunkReservations<TRecord> _reservations = new(time, TimeSpan.FromMinutes(1));
    private IGrainTimer? _leases;

    public Task<TRecord> AddAsync(TRecord record) => InsertAsync(record, Db.InsertAsync);

    public async Task<NewsstandException?[]> AddManyAsync(TRecord[] records)
    {
        // Each insert reserves its id and queues its row at once; they commit together in the next group commit.
        var inserts = records.Select(record => InsertAsync(record, Db.InsertAsync)).ToArray();
        var errors = new NewsstandException?[inserts.Length];
        for (var i = 0; i < inserts.Length; i++)
        {
            try
            {
                await inserts[i];
            }
            catch (NewsstandException error)
            {
                errors[i] = error;
            }
        }
        return errors;
    }

    public Task<TRecord> AddWithCompanionAsync(TRecord record, CompanionRow companion) =>
        InsertAsync(record, row => Db.WriteUnitAsync(
            new WriteRow(row, EntityState.Added),
            new WriteRow(companion.Row, companion.Expected is null ? EntityState.Added : EntityState.Modified, companion.Expected)));

    public Task<TRecord> AddKeyedAsync(TRecord record, IdempotencyRecord answer) =>
        InsertAsync(record, row => Db.WriteUnitAsync(
            new WriteRow(row, EntityState.Added),
            new WriteRow(answer with { CreatedAtMs = answerClock.GetUtcNow().ToUnixTimeMilliseconds() }, EntityState.Added)));

    public Task<Reservation[]> ReserveAsync(TRecord[] records, Guid holder)
    {
        var answers = new Reservation[records.Length];
        for (var i = 0; i < records.Length; i++)
        {
            var record = records[i];
            answers[i] = Rows.Find(record.Id) is { } stored ? (stored.Equals(record) ? Reservation.StoredAlready : Reservation.StoredOther)
                : !TryBeginWrite(record.Id) ? Reservation.Busy
                : Reservation.Reserved;
            if (answers[i] == Reservation.Reserved)
            {
                _reservations.Add(holder, record);
            }
        }
        _leases ??= this.RegisterGrainTimer(ExpireLeasesAsync, new GrainTimerCreationOptions(LeaseCheck, LeaseCheck) { Interleave = true });
        return Task.FromResult(answers);
    }

    public async Task SettleAsync(Guid holder, int[] stored, bool outcomeKnown)
    {
        var reserved = _reservations.Take(holder);
        Task indexed;
        try
        {
            var committed = new HashSet<int>(stored);
            var reservedIds = new HashSet<int>(reserved.Select(r => r.Id));
            int[] unsure = [.. reservedIds.Union(committed)];
            // A reservation that ran out meanwhile, or an unknown outcome: the database says what was stored.
            var shown = outcomeKnown && reservedIds.IsSupersetOf(committed) ? reserved.FindAll(r => committed.Contains(r.Id))
                : unsure.Length > 0 ? await ReadStoredAsync(unsure)
                : [];
            indexed = shown.Count > 0 ? CommittedAsync(shown) : Task.CompletedTask;
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            // What was stored cannot be read now: a new activation reads every row again.
            LetGoOfRows();
            throw;
        }
        finally
        {
            foreach (var row in reserved)
            {
                EndWrite(row.Id);
            }
        }
        await indexed;
    }

    protected override TRecord View(TRecord row) => row;

    /// <summary>Reservations whose holder never settled them (it died, or lost its silo): read from the database and released.</summary>
    private async Task ExpireLeasesAsync()
    {
        foreach (var holder in _reservations.Expired())
        {
            await SettleAsync(holder, [], outcomeKnown: false);
        }
        if (_reservations.Count == 0)
        {
            _leases?.Dispose();
            _leases = null;
        }
    }

    /// <summary>Reserves the id, commits the row through <paramref name="write"/>, then shows it.</summary>
    private async Task<TRecord> InsertAsync(TRecord record, Func<TRecord, Task> write)
    {
        BeginInsert(record.Id);
        Task indexed;
        try
        {
            await CommitAsync(() => write(record));
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
