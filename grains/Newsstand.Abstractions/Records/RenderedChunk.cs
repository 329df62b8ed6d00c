namespace Newsstand.Records;

/// <summary>
/// A chunk's rows as its owner rendered them all at once: answers any <see cref="ChunkRead"/> inside the chunk
/// with the bytes, counts and bounds the owner's <c>ReadJsonAsync</c> answers for the same rows, by copying
/// one run of the rendering. Kept by a table's index (pages answered in its turn) and by a web client that holds it under
/// the table's lease (pages answered without a call).
/// </summary>
public sealed class RenderedChunk(ChunkRendering rendering)
{
    /// <summary>The owner's rendering this answers from.</summary>
    public ChunkRendering Rendering => rendering;

    /// <summary>How many rows the chunk holds.</summary>
    public int Rows => rendering.Ids.Length;

    /// <summary>What this holds in memory: the rendering and its two numbers per row.</summary>
    public long Bytes { get; } = rendering.Json.Length + (8L * rendering.Ids.Length);

    /// <summary>Rows of <paramref name="read"/> as JSON array elements, stopping at its row or byte bound (at least one row).</summary>
    public ChunkSlice<byte[]> Json(ChunkRead read)
    {
        var (ids, ends) = (rendering.Ids, rendering.Ends);
        var found = Array.BinarySearch(ids, read.AfterId);
        var after = found >= 0 ? found + 1 : ~found;
        var skipped = Math.Min(read.Skip, ids.Length - after);
        var start = after + skipped;
        var from = StartOf(start);
        var end = start;
        // The owner's writer counts the '[' and the commas written so far against the byte bound.
        while (end < ids.Length && end - start < read.MaxRows && (end == start || 1 + ends[end - 1] - from < read.MaxBytes))
        {
            end++;
        }
        var json = end > start ? rendering.Json[from..ends[end - 1]] : [];
        return new(json, end - start, skipped, end > start ? ids[end - 1] : read.AfterId, end == ids.Length);
    }

    private int StartOf(int row) => row == 0 ? 0 : rendering.Ends[row - 1] + 1;
}
