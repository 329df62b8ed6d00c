using System.Globalization;

namespace Newsstand.Api.Streaming;

/// <summary>
/// A reader's position in a partitioned topic: for each partition, the sequence number of the last message
/// it has seen. Written as the SSE event id, partition by partition with dots (<c>12.0.7.3</c>), so a
/// <c>Last-Event-ID</c> names where to resume in every partition; partitions it does not name start at 0,
/// so <c>0</c> means "from the beginning".
/// </summary>
internal sealed class FeedPosition
{
    public const int MaxPartitions = 256;

    private readonly long[] _sequences;

    public FeedPosition(long[] sequences) => _sequences = sequences;

    public int Count => _sequences.Length;

    public long this[int partition] => _sequences[partition];

    /// <summary>Parses a <c>Last-Event-ID</c>; false when it is not dot-separated non-negative whole numbers.</summary>
    public static bool TryParse(string? text, out FeedPosition position)
    {
        position = new FeedPosition([]);
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        var parts = text.Trim().Split('.');
        if (parts.Length > MaxPartitions)
        {
            return false;
        }
        var sequences = new long[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!long.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out sequences[i]))
            {
                return false;
            }
        }
        position = new FeedPosition(sequences);
        return true;
    }

    /// <summary>This position for a topic of <paramref name="partitions"/> partitions (missing ones at 0).</summary>
    public FeedPosition Resize(int partitions)
    {
        var sequences = new long[partitions];
        Array.Copy(_sequences, sequences, Math.Min(partitions, _sequences.Length));
        return new FeedPosition(sequences);
    }

    /// <summary>This position, no further than <paramref name="ends"/> in any partition: an id from beyond the log's end (a log that
    /// was reset, a forged id) would otherwise skip that partition's next messages.</summary>
    public FeedPosition AtMost(IReadOnlyList<long> ends) => new([.. _sequences.Select((sequence, partition) => Math.Min(sequence, ends[partition]))]);

    /// <summary>The position after message <paramref name="sequence"/> of <paramref name="partition"/>.</summary>
    public FeedPosition With(int partition, long sequence)
    {
        var sequences = (long[])_sequences.Clone();
        sequences[partition] = sequence;
        return new FeedPosition(sequences);
    }

    public override string ToString() => string.Join('.', _sequences.Select(s => s.ToString(CultureInfo.InvariantCulture)));
}
