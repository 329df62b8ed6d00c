using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Newsstand.Data;
using Newsstand.Grains;
using Newsstand.Records;
using Orleans.Concurrency;

namespace Newsstand.Tables;

/// <summary>
/// The index of one table: the row count of every chunk that holds rows, counted once from the database
/// at activation and then kept current by the chunks' reports. Reads walk the chunks in id order; a
/// page at any offset costs one walk over the counts (a few hundred numbers per million rows) and one
/// chunk read. Small, complete answers from the table's start (the 50-row list) are kept until the next write to the
/// table; the whole list is also published to <see cref="LocalWholeLists"/>, where an API served from this silo reads
/// it without a call. A separate web client holds it under a lease instead (<see cref="ReadLeasedAsync"/>), which a
/// write's report revokes before the write is acknowledged (<see cref="GrantedLeases"/>).
/// The chunks pages are read from again and again are kept rendered (<see cref="RenderedChunkCache"/>),
/// so such a page is answered in this grain's turn; a chunk's rendering is dropped in the turn its owner reports a
/// write, before the writer gets its answer. A separate web client may hold such a rendering under the table's lease
/// (<see cref="ReadLeasedPageAsync"/>) and answer pages inside it without a call; the same revocation drops it.
/// </summary>
[Reentrant] // Reports change state synchronously; reads keep their own position across their awaits.
[KeepAlive] // A few numbers per chunk: recounting a large table after an idle spell would cost far more.
internal sealed class TableIndexGrain<TRecord>(NewsstandDb db, LocalWholeLists local, IOptions<WholeListLeaseOptions> leases) : Grain, ITableIndexGrain<TRecord>
    where TRecord : ITableRecord
{
    /// <summary>Bounds of one slice: a few hundred rows or tens of KiB, well below the large object heap.</summary>
    public const int SliceRows = 256;
    public const int SliceBytes = ListSlice.MaxBytes;

    /// <summary>Tables above this size are walked with passing reads: the chunks a walk wakes go back to sleep behind it.</summary>
    public const int WarmRows = 64 * TableSchema.ChunkSize;

    private const int CachedAnswers = 32;
    private const int CachedBytes = 64 * 1024;

    /// <summary>Rendered chunks kept per table: about 32 chunks (32,768 rows) of rows of 250 bytes.</summary>
    public const long RenderedBytes = 8 * 1024 * 1024;

    private readonly SortedList<long, int> _chunks = [];
    private readonly Dictionary<ListRead, ListSlice> _answers = [];
    private readonly RenderedChunkCache _rendered = new(RenderedBytes);
    // _starts[i]: rows in the chunks before the i-th; rebuilt on the first read after a report.
    private long[]? _starts;
    // Drawn per activation: the write count below starts at 0 again after a restart, the pair never repeats.
    private readonly long _epoch = Random.Shared.NextInt64();
    private readonly GrantedLeases _leases = new(leases.Value.WholeListLease);
    private long _rows;
    private long _version;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var table = db.Catalog.OfRecord(typeof(TRecord));
        var sql = $"SELECT \"{table.KeyColumn}\" / {TableSchema.ChunkSize} AS \"Chunk\", COUNT(*) AS \"Rows\" FROM \"{table.Name}\" GROUP BY \"{table.KeyColumn}\" / {TableSchema.ChunkSize}";
        var counts = await db.ReadAsync(context => context.Database.SqlQueryRaw<ChunkCount>(sql).ToListAsync(cancellationToken));
        foreach (var count in counts)
        {
            _chunks[count.Chunk] = (int)count.Rows;
            _rows += count.Rows;
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        local.Withdraw<TRecord>();
        return Task.CompletedTask;
    }

    public Task<long> CountAsync() => Task.FromResult(_rows);

    public Task<TableRevision> VersionAsync() => Task.FromResult(new TableRevision(_epoch, _version));

    public async Task<long> WarmAsync()
    {
        // One row each way (records and JSON): compiles the queries and serializers every later read uses.
        await ReadRowsAsync(new ListRead(0, 0, 1), 1);
        await ReadJsonAsync(new ListRead(0, 0, 1));
        return _rows;
    }

    public Task ReportChunkAsync(long chunk, int rows)
    {
        _rows += rows - _chunks.GetValueOrDefault(chunk);
        _chunks[chunk] = rows;
        _starts = null;
        _version++;
        _answers.Clear();
        _rendered.Withdraw(chunk);
        local.Withdraw<TRecord>();
        return _leases.RevokeAsync(LeasedList.TableKey<TRecord>());
    }

    public async Task<LeasedList> ReadLeasedAsync(IWholeListHolder holder, TimeSpan lease)
    {
        var list = await ReadJsonAsync(ListRead.All);
        // Only an answer no write has been reported since: a later report revokes the lease recorded here.
        var current = list.Done && list.Version == new TableRevision(_epoch, _version);
        return new LeasedList(list, current ? _leases.Grant(holder, lease) : TimeSpan.Zero);
    }

    public async Task<LeasedPage> ReadLeasedPageAsync(IWholeListHolder holder, ListRead read, TimeSpan lease)
    {
        var page = await ReadJsonAsync(read);
        // Only a page no write has been reported since, in one slice, from an offset: its chunk is where the walk starts.
        if (read.AfterId != 0 || read.Remaining is null || !page.Done || page.Version != new TableRevision(_epoch, _version)
            || Start(read) is not ({ } chunk, var skip) || _rendered.Find(chunk) is not { } held)
        {
            return new LeasedPage(page, null, 0, false, TimeSpan.Zero);
        }
        var granted = _leases.Grant(holder, lease);
        return granted > TimeSpan.Zero
            ? new LeasedPage(page, held.Rendering, read.Skip - skip, Next(chunk) is null, granted)
            : new LeasedPage(page, null, 0, false, TimeSpan.Zero);
    }

    public Task<TimeSpan> RenewLeaseAsync(IWholeListHolder holder, TableRevision seen, TimeSpan lease) =>
        Task.FromResult(seen == new TableRevision(_epoch, _version) ? _leases.Grant(holder, lease) : TimeSpan.Zero);

    public async Task<ListSlice> ReadJsonAsync(ListRead read)
    {
        if (_answers.TryGetValue(read, out var known))
        {
            return known;
        }
        var version = _version;
        var parts = new List<byte[]>(1);
        var bytes = 0;
        var walk = await WalkAsync(read, SliceRows, async (chunk, chunkRead) =>
        {
            var slice = await ReadChunkJsonAsync(chunk, chunkRead with { MaxBytes = SliceBytes - bytes }, page: read.Remaining is not null);
            if (slice.Count > 0)
            {
                parts.Add(slice.Content);
                bytes += slice.Content.Length;
            }
            return (slice.Count, slice.Skipped, slice.LastId, slice.End, bytes >= SliceBytes);
        });
        // The version the read began at: a write reported during the walk may already show in it, so the tag
        // it earns is one a later read no longer matches (never the other way round).
        var answer = new ListSlice(Join(parts), walk.Count, walk.LastId, walk.Done, new TableRevision(_epoch, version));
        if (answer.Done && version == _version && answer.Json.Length <= CachedBytes && FromTheStart(read))
        {
            if (_answers.Count >= CachedAnswers)
            {
                _answers.Clear();
            }
            _answers[read] = answer;
            if (read == ListRead.All)
            {
                local.Publish<TRecord>(answer);
            }
        }
        return answer;
    }

    /// <summary>
    /// A chunk's part of a read: from its rendering when it is held; else, for a page in a chunk pages asked for
    /// lately, the chunk renders all its rows and the rendering is kept; else the chunk renders only the part.
    /// </summary>
    private async Task<ChunkSlice<byte[]>> ReadChunkJsonAsync(long chunk, ChunkRead read, bool page)
    {
        if (_rendered.Find(chunk) is { } held)
        {
            return held.Json(read);
        }
        var owner = GrainFactory.TableChunk<TRecord>(chunk);
        if (!page || !_rendered.Admits(chunk))
        {
            return await owner.ReadJsonAsync(read);
        }
        var version = _version;
        var rendered = new RenderedChunk(await owner.RenderJsonAsync());
        // A write reported meanwhile may not be in the rendering: it answers this read (as a direct read would) but is not kept.
        if (version == _version)
        {
            _rendered.Keep(chunk, rendered);
        }
        return rendered.Json(read);
    }

    public async Task<RowBatch<TRecord>> ReadRowsAsync(ListRead read, int maxRows)
    {
        var rows = new List<TRecord>();
        var walk = await WalkAsync(read, Math.Clamp(maxRows, 1, Page.MaxLimit), async (chunk, chunkRead) =>
        {
            var slice = await GrainFactory.TableChunk<TRecord>(chunk).ReadRowsAsync(chunkRead);
            rows.AddRange(slice.Content);
            return (slice.Count, slice.Skipped, slice.LastId, slice.End, false);
        });
        return new RowBatch<TRecord>([.. rows], walk.Done);
    }

    /// <summary>
    /// Walks the chunks from where <paramref name="read"/> starts, asking <paramref name="readChunk"/> for
    /// each one's part, until <paramref name="maxRows"/> rows, the read's end, a full slice, or the table's end.
    /// </summary>
    private async Task<(int Count, int LastId, bool Done)> WalkAsync(ListRead read, int maxRows,
        Func<long, ChunkRead, Task<(int Count, int Skipped, int LastId, bool End, bool Full)>> readChunk)
    {
        var remaining = Math.Min(maxRows, read.Remaining ?? int.MaxValue);
        var (chunk, skip) = Start(read);
        var afterId = read.AfterId;
        var count = 0;
        var passing = _rows > WarmRows;
        while (chunk is { } current && count < remaining)
        {
            var part = await readChunk(current, new ChunkRead(afterId, skip, remaining - count, SliceBytes,
                Passing: passing && skip == 0 && afterId < TableSchema.IdsOf(current).First));
            skip -= part.Skipped;
            count += part.Count;
            afterId = part.LastId;
            if (!part.End || part.Full)
            {
                return (count, afterId, count >= (read.Remaining ?? int.MaxValue) || (part.End && Next(current) is null));
            }
            chunk = Next(current);
        }
        return (count, afterId, chunk is null || count >= (read.Remaining ?? int.MaxValue));
    }

    /// <summary>The chunk a read starts in, and how many of the rows there it still has to skip.</summary>
    private (long? Chunk, int Skip) Start(ListRead read)
    {
        if (read.AfterId > 0)
        {
            return (AtOrAfter(TableSchema.ChunkOf(read.AfterId)), read.Skip);
        }
        if (read.Skip >= _rows)
        {
            return (null, 0);
        }
        var starts = _starts ??= Starts();
        // The last chunk that starts at or before the row to skip to.
        int low = 0, high = starts.Length;
        while (low < high)
        {
            var mid = (low + high) >> 1;
            if (starts[mid] <= read.Skip)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }
        return (_chunks.Keys[low - 1], (int)(read.Skip - starts[low - 1]));
    }

    private long[] Starts()
    {
        var starts = new long[_chunks.Count];
        for (var i = 1; i < starts.Length; i++)
        {
            starts[i] = starts[i - 1] + _chunks.Values[i - 1];
        }
        return starts;
    }

    /// <summary>The parts as one run of array elements; a single part (the usual page) is passed on as it is.</summary>
    private static byte[] Join(List<byte[]> parts)
    {
        if (parts.Count == 1)
        {
            return parts[0];
        }
        var joined = new byte[parts.Sum(p => p.Length) + Math.Max(0, parts.Count - 1)];
        var at = 0;
        foreach (var part in parts)
        {
            if (at > 0)
            {
                joined[at++] = (byte)',';
            }
            part.CopyTo(joined, at);
            at += part.Length;
        }
        return joined;
    }

    /// <summary>
    /// Reads from the table's first row (the whole list, first pages): what polling clients ask again and again.
    /// A page at an offset is rarely asked twice before the next write; kept, it only outlived a collection or
    /// two and went to an older generation before the next clear dropped it.
    /// </summary>
    private static bool FromTheStart(ListRead read) => read.AfterId == 0 && read.Skip == 0;

    private long? Next(long chunk) => AtOrAfter(chunk + 1);

    private long? AtOrAfter(long chunk)
    {
        var keys = _chunks.Keys;
        int low = 0, high = keys.Count;
        while (low < high)
        {
            var mid = (low + high) >> 1;
            if (keys[mid] < chunk)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }
        return low < keys.Count ? keys[low] : null;
    }

    private sealed record ChunkCount(long Chunk, long Rows);
}
