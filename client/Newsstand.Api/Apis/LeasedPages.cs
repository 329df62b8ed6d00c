using Newsstand.Records;

namespace Newsstand.Api.Apis;

/// <summary>
/// The chunk renderings one table's index sent a web client with its pages (<see cref="Grains.LeasedPage"/>), all of
/// one version of the table: a page inside one of them is answered with the bytes, counts and version the index answers
/// for it (one copy out of the rendering). Bounded by <see cref="CapacityBytes"/>, the least recently used dropped first.
/// Whether they may be answered (the lease) is <see cref="LeasedWholeLists.Holding"/>'s; not thread-safe (it locks).
/// </summary>
internal sealed class LeasedPages
{
    /// <summary>
    /// Per table: what the index itself keeps rendered (8 MiB, about 32 chunks of rows of 250 bytes; the index sends
    /// only chunks it holds, so more would keep chunks the index dropped as least used).
    /// </summary>
    public const long CapacityBytes = 8 * 1024 * 1024;

    private readonly List<Held> _held = [];
    private long _bytes;
    private long _clock;

    /// <summary>The version of the table every held rendering shows; null while none is held.</summary>
    public TableRevision? Version { get; private set; }

    public int Count => _held.Count;

    /// <summary>The page <paramref name="read"/> when it lies in one held chunk and fits one slice; null otherwise (ask the index).</summary>
    public ListSlice? Answer(ListRead read)
    {
        if (read.AfterId != 0 || read.Remaining is not { } limit || Version is not { } version)
        {
            return null;
        }
        foreach (var held in _held)
        {
            if (read.Skip < held.Start || read.Skip >= held.Start + held.Chunk.Rows)
            {
                continue;
            }
            var part = held.Chunk.Json(new ChunkRead(0, (int)(read.Skip - held.Start), limit, ListSlice.MaxBytes, Passing: false));
            // The index's walk ends its page here too only when the limit is reached or no chunk with rows follows;
            // a page running on into the next chunk, or cut by the slice's bytes, is the index's to answer.
            if (part.Count < limit && !(part.End && held.Last))
            {
                return null;
            }
            held.Used = ++_clock;
            return new ListSlice(part.Content, part.Count, part.LastId, Done: true, version);
        }
        return null;
    }

    /// <summary>Keeps the chunk of <paramref name="answer"/>; a rendering of another version of the table replaces all held.</summary>
    public void Keep(Grains.LeasedPage answer)
    {
        if (answer.Chunk is not { } rendering || answer.Page.Version is not { } version)
        {
            return;
        }
        if (Version != version)
        {
            Clear();
            Version = version;
        }
        var chunk = new RenderedChunk(rendering);
        if (chunk.Bytes > CapacityBytes)
        {
            return;
        }
        // Within one version of the table a start names one chunk.
        if (_held.FindIndex(held => held.Start == answer.ChunkStart) is var same and >= 0)
        {
            Drop(same);
        }
        while (_bytes + chunk.Bytes > CapacityBytes)
        {
            Drop(_held.IndexOf(_held.MinBy(held => held.Used)!));
        }
        _held.Add(new Held(chunk, answer.ChunkStart, answer.LastChunk) { Used = ++_clock });
        _bytes += chunk.Bytes;
    }

    public void Clear()
    {
        _held.Clear();
        _bytes = 0;
        Version = null;
    }

    private void Drop(int at)
    {
        _bytes -= _held[at].Chunk.Bytes;
        _held.RemoveAt(at);
    }

    private sealed class Held(RenderedChunk chunk, long start, bool last)
    {
        public RenderedChunk Chunk { get; } = chunk;

        /// <summary>Rows in the table before the chunk's first.</summary>
        public long Start { get; } = start;

        /// <summary>No chunk with rows follows this one.</summary>
        public bool Last { get; } = last;

        public long Used { get; set; }
    }
}
