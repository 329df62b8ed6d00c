using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Newsstand.Tables;

/// <summary>
/// One JSON writer and its buffer per thread, reused by every render on that thread: a page renders into
/// memory that is already there and leaves with one copy of exactly its size, instead of a growing buffer
/// (two or three arrays per page, the most a deep page allocated) and a copy. A render must not await
/// between <see cref="Begin"/> and taking its bytes: another render on the same thread would reuse them.
/// </summary>
[SuppressMessage("Reliability", "CA1001", Justification = "One per thread for the thread's life; the writer holds no resource beyond its buffer, which is managed memory.")]
internal sealed class JsonScratch
{
    // Room for a full slice (48 KiB) and a row past it, below the large object heap (85,000 bytes).
    private const int Capacity = 64 * 1024;
    private const int KeptCapacity = 80 * 1024;

    [ThreadStatic]
    private static JsonScratch? _current;

    private readonly ArrayBufferWriter<byte> _buffer = new(Capacity);
    private readonly Utf8JsonWriter _writer;

    private JsonScratch() => _writer = new Utf8JsonWriter(_buffer);

    /// <summary>This thread's writer, empty; <see cref="ToArray"/> takes what was written.</summary>
    public static JsonScratch Begin()
    {
        var scratch = _current ??= new JsonScratch();
        scratch._buffer.ResetWrittenCount();
        scratch._writer.Reset(scratch._buffer);
        return scratch;
    }

    public Utf8JsonWriter Writer => _writer;

    /// <summary>The written bytes in <paramref name="range"/>, copied once into an array of their size.</summary>
    public byte[] ToArray(Range range)
    {
        _writer.Flush();
        var bytes = _buffer.WrittenSpan[range].ToArray();
        if (_buffer.Capacity > KeptCapacity)
        {
            // An outsized row grew the buffer: let it go rather than keep it for the thread's life.
            _current = null;
        }
        return bytes;
    }
}
