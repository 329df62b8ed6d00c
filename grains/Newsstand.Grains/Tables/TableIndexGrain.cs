using System.Buffers;
using Microsoft.EntityFrameworkCore;
using Newsstand.Data;
using Newsstand.Grains;
using Newsstand.Records;
using Orleans.Concurrency;

namespace Newsstand.Tables;

/// <summary>
/// The index of one table: the row count of every chunk that holds rows, counted once from the database
/// at activation and then kept current by the chunks' reports. Reads walk the chunks in id order; a
/// page at any offset costs one walk over the counts (a few hundred numbers per million rows) and one
/// chunk read. Small, complete answers (the 50-row list) are kept until the next write to the table.
/// </summary>
[Reentrant] // Reports change state synchronously; reads keep their own position across their awaits.
[KeepAlive] // A few numbers per chunk: recounting a large table after an idle spell would cost far more.
internal sealed class TableIndexGrain<TRecord>(NewsstandDb db) : Grain, ITableIndexGrain<TRecord>
    where TRecord : ITableRecord
{
    /// <summary>Bounds of one slice: a few hundred rows or tens of KiB, well below the large object heap.</summary>
    public const int SliceRows = 256;
    public const int SliceBytes = 48 * 1024;

    /// <summary>Tables above this size are walked with passing reads: the chunks a walk wakes go back to sleep behind it.</summary>
    public const int WarmRows = 64 * TableSchema.ChunkSize;

    private const int CachedAnswers = 32;
    private const int CachedBytes = 64 * 1024;

    private readonly SortedList<long, int> _chunks = [];
    private readonly Dictionary<ListRead, ListSlice> _answers = [];
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

    public Task<long> CountAsync() => Task.FromResult(_rows);

    public async Task<long> WarmAsync()
    {
        if (_chunks.Count > 0)
        {
            await GrainFactory.TableChunk<TRecord>(_chunks.Keys[0]).ReadRowsAsync(new ChunkRead(0, 0, 1, SliceBytes, Passing: false));
        }
        return _rows;
    }

    public Task ReportChunkAsync(long chunk, int rows)
    {
        _rows += rows - _chunks.GetValueOrDefault(chunk);
        _chunks[chunk] = rows;
        _version++;
        _answers.Clear();
        return Task.CompletedTask;
    }

    public async Task<ListSlice> ReadJsonAsync(ListRead read)
    {
        if (_answers.TryGetValue(read, out var known))
        {
            return known;
        }
        var version = _version;
        var json = new ArrayBufferWriter<byte>();
        var walk = await WalkAsync(read, SliceRows, async (chunk, chunkRead) =>
        {
            chunkRead = chunkRead with { MaxBytes = SliceBytes - json.WrittenCount };
            var slice = await GrainFactory.TableChunk<TRecord>(chunk).ReadJsonAsync(chunkRead);
            if (slice.Count > 0)
            {
                if (json.WrittenCount > 0)
                {
                    json.Write(","u8);
                }
                json.Write(slice.Content);
            }
            return (slice.Count, slice.Skipped, slice.LastId, slice.End, json.WrittenCount >= SliceBytes);
        });
        var answer = new ListSlice(json.WrittenSpan.ToArray(), walk.Count, walk.LastId, walk.Done);
        if (answer.Done && version == _version && answer.Json.Length <= CachedBytes)
        {
            if (_answers.Count >= CachedAnswers)
            {
                _answers.Clear();
            }
            _answers[read] = answer;
        }
        return answer;
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
        var skip = read.Skip;
        foreach (var (chunk, rows) in _chunks)
        {
            if (skip < rows)
            {
                return (chunk, skip);
            }
            skip -= rows;
        }
        return (null, 0);
    }

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
