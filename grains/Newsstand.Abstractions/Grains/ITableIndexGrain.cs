using Newsstand.Records;

namespace Newsstand.Grains;

/// <summary>
/// The index of one table (key 0): which chunks hold rows and how many, so that a page at any offset
/// costs one chunk read, and a list or scan walks the chunks in id order in bounded slices.
/// </summary>
public interface ITableIndexGrain<TRecord> : ITableIndex
    where TRecord : ITableRecord
{
    /// <summary>The next slice of <paramref name="read"/> as JSON array elements: at most a few hundred rows
    /// or tens of KiB. Continue with <see cref="ListRead.After"/> until <see cref="ListSlice.Done"/>.
    /// Carries the table's version as it was when the read began.</summary>
    Task<ListSlice> ReadJsonAsync(ListRead read);

    /// <summary>
    /// The whole list (<see cref="ListRead.All"/>, one slice) with a lease of at most <paramref name="lease"/> for
    /// <paramref name="holder"/>: until it ends, the index revokes it before it acknowledges a write. No lease (zero) when
    /// the list is more than one slice, changed while it was read, or leases are off.
    /// </summary>
    Task<LeasedList> ReadLeasedAsync(IWholeListHolder holder, TimeSpan lease);

    /// <summary>
    /// A page (<paramref name="read"/> from an offset, with a limit, one slice) and, when the page lies in a chunk this
    /// index holds rendered, that chunk's rendering and where it starts in the table, with a lease of at most
    /// <paramref name="lease"/> for <paramref name="holder"/> on the table as it is (revoked before a write is
    /// acknowledged, as a whole list's). No rendering and no lease otherwise.
    /// </summary>
    Task<LeasedPage> ReadLeasedPageAsync(IWholeListHolder holder, ListRead read, TimeSpan lease);

    /// <summary>A new lease of at most <paramref name="lease"/> for <paramref name="holder"/> when the table is still at
    /// <paramref name="seen"/> (nothing written since the holder read it); zero otherwise.</summary>
    Task<TimeSpan> RenewLeaseAsync(IWholeListHolder holder, TableRevision seen, TimeSpan lease);

    /// <summary>The table's version now, without reading a row (what a conditional GET compares).</summary>
    Task<TableRevision> VersionAsync();

    /// <summary>The next batch of at most <paramref name="maxRows"/> rows of <paramref name="read"/>, in id order.</summary>
    Task<RowBatch<TRecord>> ReadRowsAsync(ListRead read, int maxRows);

    /// <summary>Called by a chunk owner after its rows changed: the chunk now holds <paramref name="rows"/> rows. Completes
    /// once no web client can answer the whole list or a page from before the change any more (its leases revoked or ended).</summary>
    Task ReportChunkAsync(long chunk, int rows);
}

/// <summary>What every table index answers whatever its record type (for callers that walk all tables).</summary>
public interface ITableIndex : IGrainWithIntegerKey
{
    /// <summary>How many rows the table holds.</summary>
    Task<long> CountAsync();

    /// <summary>Wakes the table's first chunk, so that everything a read needs is loaded and compiled before
    /// the first request; answers the row count.</summary>
    Task<long> WarmAsync();
}
