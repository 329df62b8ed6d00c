using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Newsstand.Data;
using Newsstand.Errors;
using Newsstand.Grains;
using Newsstand.Hosting;
using Newsstand.Records;

namespace Newsstand.Tables;

/// <summary>
/// Owns one chunk of a table: loads its rows at activation, serves reads from memory and commits every
/// write before changing them. Subclasses are reentrant: state changes only in the synchronous tail
/// after a commit, and <see cref="BeginWrite"/> keeps two writes of one id apart. After each write the
/// table's index learns the chunk's new row count before the writer gets its answer, so a page read
/// right after an acknowledged write sees it.
/// </summary>
internal abstract partial class TableChunkGrain<TRow, TView>(NewsstandDb db, MemoryReclaimer memory, ILogger logger) : Grain, ITableChunkGrain<TView>
    where TRow : class, ITableRecord
    where TView : ITableRecord
{
    private readonly HashSet<int> _writing = [];
    private TaskCompletionSource? _nextReport;
    // Made once: resolving a generic grain interface's type for a new reference cost a few percent of the silo's CPU per insert.
    private ITableIndexGrain<TView>? _index;
    private bool _reporting;
    // True while this activation has served only passing reads (a walk through a large table).
    private bool _onlyPassedThrough = true;
    // True once this activation's rows may differ from the database's (a commit with an unknown outcome).
    private bool _unsettled;

    protected ChunkRows<TRow> Rows { get; private set; } = new([]);

    protected string Table => db.Catalog[typeof(TRow)].Name;

    protected NewsstandDb Db => db;

    protected abstract TView View(TRow row);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var (first, last) = TableSchema.IdsOf(this.GetPrimaryKeyLong());
        var rows = await db.ReadAsync(context => context.Set<TRow>()
            .Where(r => EF.Property<int>(r, nameof(ITableRecord.Id)) >= first && EF.Property<int>(r, nameof(ITableRecord.Id)) <= last)
            .OrderBy(r => EF.Property<int>(r, nameof(ITableRecord.Id)))
            .ToListAsync(cancellationToken));
        Rows = new ChunkRows<TRow>(rows);
    }

    /// <summary>The stored rows with these ids, read from the database (the truth after an unknown outcome).</summary>
    protected Task<List<TRow>> ReadStoredAsync(int[] ids) => db.ReadAsync(context => context.Set<TRow>()
        .Where(r => ids.Contains(EF.Property<int>(r, nameof(ITableRecord.Id)))).ToListAsync());

    /// <summary>
    /// Runs <paramref name="write"/>; when its commit's outcome is unknown, this activation's rows may no longer be the
    /// database's, so it lets go of them: the next call finds a new activation that has read them again.
    /// </summary>
    protected async Task CommitAsync(Func<Task> write)
    {
        try
        {
            await write();
        }
        catch (CommitOutcomeUnknownException)
        {
            LogOutcomeUnknown(Table, this.GetPrimaryKeyLong());
            LetGoOfRows();
            throw;
        }
    }

    /// <summary>
    /// This activation's rows may no longer be the database's: the next call finds a new activation that has
    /// read them again, and the table's version moves on once this one is gone (a list tag seen before
    /// cannot vouch for rows read after).
    /// </summary>
    protected void LetGoOfRows()
    {
        _unsettled = true;
        DeactivateOnIdle();
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        memory.Released(Rows.Count);
        if (_unsettled)
        {
            try
            {
                await GrainFactory.TableIndex<TView>().ReportChunkAsync(this.GetPrimaryKeyLong(), Rows.Count).WaitAsync(cancellationToken);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                LogReportFailed(Table, this.GetPrimaryKeyLong(), error.GetType().Name);
            }
        }
    }

    public Task<bool> ContainsAsync(int id)
    {
        _onlyPassedThrough = false;
        return Task.FromResult(Rows.Contains(id));
    }

    public Task<TView[]> FindAsync(int[] ids)
    {
        _onlyPassedThrough = false;
        return Task.FromResult(ids.Order().Distinct().Select(Rows.Find).OfType<TRow>().Select(View).ToArray());
    }

    public Task<ChunkSlice<byte[]>> ReadJsonAsync(ChunkRead read) => Task.FromResult(Served(read, Rows.Json(read, View)));

    public Task<ChunkRendering> RenderJsonAsync()
    {
        _onlyPassedThrough = false;
        return Task.FromResult(Rows.Render(View));
    }

    public Task<ChunkSlice<TView[]>> ReadRowsAsync(ChunkRead read) => Task.FromResult(Served(read, Rows.Rows(read, View)));

    /// <summary>Reserves <paramref name="id"/> for a write that inserts it; throws <see cref="RecordConflictException"/> if it exists or is being written.</summary>
    protected void BeginInsert(int id)
    {
        if (Rows.Contains(id))
        {
            throw new RecordConflictException("id", $"{Table} {id} already exists.");
        }
        BeginWrite(id);
    }

    /// <summary>Reserves <paramref name="id"/> for a write; throws <see cref="WriteInProgressException"/> if another write of it is in flight.</summary>
    protected void BeginWrite(int id)
    {
        if (!TryBeginWrite(id))
        {
            throw new WriteInProgressException(Table, id);
        }
    }

    /// <summary>Reserves <paramref name="id"/> for a write; false if another write of it is in flight.</summary>
    protected bool TryBeginWrite(int id)
    {
        var (first, last) = TableSchema.IdsOf(this.GetPrimaryKeyLong());
        if (id < first || id > last)
        {
            throw new ArgumentOutOfRangeException(nameof(id), id, $"Chunk {this.GetPrimaryKeyLong()} of {Table} owns ids {first}–{last} only.");
        }
        _onlyPassedThrough = false;
        return _writing.Add(id);
    }

    protected void EndWrite(int id) => _writing.Remove(id);

    /// <summary>Stores a committed row in memory and waits until the table's index knows the chunk's new size.</summary>
    protected Task CommittedAsync(TRow row) => CommittedAsync([row]);

    /// <summary>Stores committed rows in memory and waits until the table's index knows the chunk's new size.</summary>
    protected Task CommittedAsync(IEnumerable<TRow> rows)
    {
        foreach (var row in rows)
        {
            Rows.Put(row);
        }
        var report = _nextReport ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_reporting)
        {
            _ = ReportCountsAsync();
        }
        return report.Task;
    }

    /// <summary>One report at a time: writes that commit while a report is on its way share the next one.</summary>
    private async Task ReportCountsAsync()
    {
        _reporting = true;
        try
        {
            while (_nextReport is { } report)
            {
                _nextReport = null;
                try
                {
                    await (_index ??= GrainFactory.TableIndex<TView>()).ReportChunkAsync(this.GetPrimaryKeyLong(), Rows.Count);
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    // The rows are committed either way; the index corrects itself with the next report or its next activation.
                    // A web client may hold the list from before them under a lease the index did not revoke: it ends within one lease.
                    LogReportFailed(Table, this.GetPrimaryKeyLong(), error.GetType().Name);
                    await Task.Delay(ServiceProvider.GetRequiredService<IOptions<WholeListLeaseOptions>>().Value.WholeListLease);
                }
                report.SetResult();
            }
        }
        finally
        {
            _reporting = false;
        }
    }

    private ChunkSlice<T> Served<T>(ChunkRead read, ChunkSlice<T> slice)
    {
        _onlyPassedThrough &= read.Passing;
        if (_onlyPassedThrough && slice.End)
        {
            DeactivateOnIdle();
        }
        return slice;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A commit of chunk {Chunk} of {Table} has an unknown outcome; the chunk reads its rows again before it serves.")]
    private partial void LogOutcomeUnknown(string table, long chunk);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Chunk {Chunk} of {Table} could not report its size to the table index ({Error}); the index will catch up.")]
    private partial void LogReportFailed(string table, long chunk, string error);
}
