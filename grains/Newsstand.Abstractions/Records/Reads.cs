namespace Newsstand.Records;

/// <summary>
/// Where a read of a table continues: the rows whose id is above <see cref="AfterId"/>, less the first
/// <see cref="Skip"/> of them, and at most <see cref="Remaining"/> rows in all (null: to the end).
/// A list starts at <see cref="Start"/> and continues from the last id it received, so rows written
/// meanwhile never shift a page that is being streamed.
/// </summary>
[GenerateSerializer, Immutable, Alias("Newsstand.ListRead")]
public sealed record ListRead([property: Id(0)] int AfterId, [property: Id(1)] int Skip, [property: Id(2)] int? Remaining)
{
    public static ListRead Start(Page page) => new(0, page.Offset, page.Limit);

    public static ListRead All { get; } = new(0, 0, null);

    /// <summary>The read after <paramref name="count"/> rows up to <paramref name="lastId"/> were received.</summary>
    public ListRead After(int lastId, int count) => new(lastId, 0, Remaining - count);
}

/// <summary>
/// Consecutive rows of a list as JSON array elements joined by commas (no brackets). <see cref="Version"/>:
/// the version of the table the read started at, when the list has one (a table's own list; not a join).
/// </summary>
[GenerateSerializer, Immutable, Alias("Newsstand.ListSlice")]
public sealed record ListSlice(
    [property: Id(0)] byte[] Json,
    [property: Id(1)] int Count,
    [property: Id(2)] int LastId,
    [property: Id(3)] bool Done,
    [property: Id(4)] TableRevision? Version = null)
{
    /// <summary>A table index's slice stops before this many bytes (a few tens of KiB, well below the large object heap).</summary>
    public const int MaxBytes = 48 * 1024;
}

/// <summary>
/// Which state of a table a read saw: <see cref="Writes"/> counts the writes reported to the table's index
/// since it was activated, <see cref="Epoch"/> is drawn at random by each activation, so a count that starts
/// again at 0 after a restart or a move never repeats an earlier pair. Equal versions mean equal rows.
/// </summary>
[GenerateSerializer, Immutable, Alias("Newsstand.TableRevision")]
public readonly record struct TableRevision([property: Id(0)] long Epoch, [property: Id(1)] long Writes);

/// <summary>Consecutive rows of a table in id order; <see cref="Done"/> when nothing follows them.</summary>
[GenerateSerializer, Immutable, Alias("Newsstand.RowBatch`1")]
public sealed record RowBatch<TRecord>([property: Id(0)] TRecord[] Rows, [property: Id(1)] bool Done);

/// <summary>
/// A read inside one chunk: rows above <see cref="AfterId"/>, skipping <see cref="Skip"/>, bounded by rows
/// and bytes. <see cref="Passing"/> marks a walk through a large table (a full list or a scan): a chunk
/// woken only for such reads goes back to sleep once the walk has passed it, so memory stays bounded.
/// </summary>
[GenerateSerializer, Immutable, Alias("Newsstand.ChunkRead")]
public sealed record ChunkRead(
    [property: Id(0)] int AfterId,
    [property: Id(1)] int Skip,
    [property: Id(2)] int MaxRows,
    [property: Id(3)] int MaxBytes,
    [property: Id(4)] bool Passing);

/// <summary>What one chunk answered: its rows (JSON or typed), how many it skipped, and whether it has no more rows after them.</summary>
[GenerateSerializer, Immutable, Alias("Newsstand.ChunkSlice`1")]
public sealed record ChunkSlice<TContent>(
    [property: Id(0)] TContent Content,
    [property: Id(1)] int Count,
    [property: Id(2)] int Skipped,
    [property: Id(3)] int LastId,
    [property: Id(4)] bool End);

/// <summary>
/// Every row of one chunk rendered as JSON array elements joined by commas (no brackets), as
/// <see cref="ChunkSlice{TContent}"/> renders them: element <c>i</c> holds the row <c>Ids[i]</c> and ends
/// before byte <c>Ends[i]</c>; the next starts after its comma. What a table index keeps to answer pages
/// inside the chunk without calling it.
/// </summary>
[GenerateSerializer, Immutable, Alias("Newsstand.ChunkRendering")]
public sealed record ChunkRendering(
    [property: Id(0)] byte[] Json,
    [property: Id(1)] int[] Ids,
    [property: Id(2)] int[] Ends);
