using Newsstand.Records;

namespace Newsstand.Tables;

/// <summary>
/// The renderings of the chunks a table's pages were read from lately, so that a page inside one of them is answered
/// by the table's index without a call to the chunk. Bounded by bytes (the least recently used go first). A chunk is
/// rendered and kept only when pages asked for it twice among the last <see cref="RecentChunks"/> chunks it did not
/// hold: a walk of random pages over a large table does not render a whole chunk for each page it reads once.
/// Not thread-safe: one grain's turns use it.
/// </summary>
internal sealed class RenderedChunkCache(long capacityBytes)
{
    public const int RecentChunks = 64;

    private readonly Dictionary<long, (RenderedChunk Chunk, long Used)> _held = [];
    private readonly long[] _recent = new long[RecentChunks];
    private int _recentCount;
    private int _recentNext;
    private long _bytes;
    private long _clock;

    /// <summary>What is held now (bytes of renderings and their row numbers), at most the capacity.</summary>
    public long Bytes => _bytes;

    public RenderedChunk? Find(long chunk)
    {
        if (!_held.TryGetValue(chunk, out var held))
        {
            return null;
        }
        _held[chunk] = (held.Chunk, ++_clock);
        return held.Chunk;
    }

    /// <summary>Whether a page read in <paramref name="chunk"/> (not held) should render the whole chunk to keep it.</summary>
    public bool Admits(long chunk)
    {
        if (Array.IndexOf(_recent, chunk, 0, _recentCount) >= 0)
        {
            return true;
        }
        _recent[_recentNext] = chunk;
        _recentNext = (_recentNext + 1) % RecentChunks;
        _recentCount = Math.Min(_recentCount + 1, RecentChunks);
        return false;
    }

    public void Keep(long chunk, RenderedChunk rendered)
    {
        if (rendered.Bytes > capacityBytes)
        {
            return;
        }
        Withdraw(chunk);
        while (_bytes + rendered.Bytes > capacityBytes)
        {
            var oldest = _held.MinBy(entry => entry.Value.Used).Key;
            Withdraw(oldest);
        }
        _held[chunk] = (rendered, ++_clock);
        _bytes += rendered.Bytes;
    }

    /// <summary>Drops what is held of <paramref name="chunk"/>: its rows changed.</summary>
    public void Withdraw(long chunk)
    {
        if (_held.Remove(chunk, out var held))
        {
            _bytes -= held.Chunk.Bytes;
        }
    }
}
