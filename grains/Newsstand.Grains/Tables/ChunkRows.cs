using System.Buffers;
using System.Text.Json;
using Newsstand.Records;

namespace Newsstand.Tables;

/// <summary>
/// The rows of one chunk in id order. Changed only in the synchronous tail of a write, after its
/// commit, and read only within a turn, so readers of a reentrant owner never see half a write.
/// </summary>
internal sealed class ChunkRows<TRow>(List<TRow> rows) where TRow : ITableRecord
{
    public int Count => rows.Count;

    public bool Contains(int id) => IndexOf(id) >= 0;

    public TRow? Find(int id) => IndexOf(id) is var i and >= 0 ? rows[i] : default;

    /// <summary>Adds <paramref name="row"/>, or replaces the row with the same id.</summary>
    public void Put(TRow row)
    {
        var index = IndexOf(row.Id);
        if (index >= 0)
        {
            rows[index] = row;
        }
        else
        {
            rows.Insert(~index, row);
        }
    }

    /// <summary>Rows of <paramref name="read"/> as JSON array elements, stopping at its row or byte bound (at least one row).</summary>
    public ChunkSlice<byte[]> Json<TView>(ChunkRead read, Func<TRow, TView> view)
    {
        var (start, skipped) = Locate(read);
        var scratch = JsonScratch.Begin();
        var writer = scratch.Writer;
        var end = start;
        writer.WriteStartArray();
        while (end < rows.Count && end - start < read.MaxRows && (end == start || writer.BytesCommitted + writer.BytesPending < read.MaxBytes))
        {
            JsonSerializer.Serialize(writer, view(rows[end]), NewsstandJson.Options);
            end++;
        }
        writer.WriteEndArray();
        // The elements without the array's brackets, so slices of several chunks join with commas.
        var json = scratch.ToArray(1..^1);
        return new(json, end - start, skipped, end > start ? rows[end - 1].Id : read.AfterId, end == rows.Count);
    }

    /// <summary>
    /// Every row as JSON array elements, byte for byte as <see cref="Json"/> renders them, with where each ends: one
    /// array of the chunk's size (a few hundred KiB, rendered when a table index asks to keep it).
    /// </summary>
    public ChunkRendering Render<TView>(Func<TRow, TView> view)
    {
        var buffer = new ArrayBufferWriter<byte>(Math.Max(256, rows.Count * 256));
        using var writer = new Utf8JsonWriter(buffer);
        var ids = new int[rows.Count];
        var ends = new int[rows.Count];
        writer.WriteStartArray();
        for (var i = 0; i < rows.Count; i++)
        {
            JsonSerializer.Serialize(writer, view(rows[i]), NewsstandJson.Options);
            ids[i] = rows[i].Id;
            // Less the '[' before the first element.
            ends[i] = (int)(writer.BytesCommitted + writer.BytesPending) - 1;
        }
        writer.WriteEndArray();
        writer.Flush();
        return new(buffer.WrittenSpan[1..^1].ToArray(), ids, ends);
    }

    /// <summary>Rows of <paramref name="read"/> as views, stopping at its row bound.</summary>
    public ChunkSlice<TView[]> Rows<TView>(ChunkRead read, Func<TRow, TView> view)
    {
        var (start, skipped) = Locate(read);
        var end = Math.Min(rows.Count, start + read.MaxRows);
        var result = new TView[end - start];
        for (var i = start; i < end; i++)
        {
            result[i - start] = view(rows[i]);
        }
        return new(result, result.Length, skipped, end > start ? rows[end - 1].Id : read.AfterId, end == rows.Count);
    }

    /// <summary>Where <paramref name="read"/> starts: the first row above its id, then past its skip.</summary>
    private (int Start, int Skipped) Locate(ChunkRead read)
    {
        var found = IndexOf(read.AfterId);
        var after = found >= 0 ? found + 1 : ~found;
        var skipped = Math.Min(read.Skip, rows.Count - after);
        return (after + skipped, skipped);
    }

    private int IndexOf(int id)
    {
        int low = 0, high = rows.Count - 1;
        while (low <= high)
        {
            var mid = low + ((high - low) >> 1);
            var current = rows[mid].Id;
            if (current == id)
            {
                return mid;
            }
            if (current < id)
            {
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }
        return ~low;
    }
}
