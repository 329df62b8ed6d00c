using System.Collections.Concurrent;
using Newsstand.Grains;
using Newsstand.Records;

namespace Newsstand.Api.Apis;

/// <summary>
/// The first slice of a whole table (a list without limit or offset: what polling clients ask) read through one
/// <see cref="CallCoalescer{TItem, TResult}"/> per table: reads made while one is under way go together in the next grain
/// call, so under load one hop answers many requests. No read gets an answer older than itself: it waits for a call that
/// starts after it arrived. Any other read (a page, the slices after the first) goes to the table's index directly.
/// Each read here is one attempt (<see cref="RetriedReads.OfAttempts"/> retries it as it is): a shared call, and a page
/// read, is given up like one (when a gateway connection closes or after an attempt timeout, <see cref="GatewayLosses"/>),
/// and its readers retry. A shared call that went to a dead gateway or silo must not hold the reads queued behind it:
/// they go in the next call as soon as it is given up. So a request waiting for a shared call needs no attempt (a
/// linked cancellation and a timer) of its own.
/// Served from a silo (the co-hosted form), a whole list its index there holds as current is answered without a call
/// (<see cref="LocalWholeLists"/>), and so is its version. Elsewhere (a separate web client) the shared call asks for the
/// whole list with a lease, and while the lease holds the list and its version are answered from memory
/// (<see cref="LeasedWholeLists"/>); so are pages inside the chunk renderings the index sent with earlier pages.
/// </summary>
internal sealed class WholeListReads(IGrainFactory grains, LocalWholeLists local, LeasedWholeLists leases, GatewayLosses gateways)
{
    // Every item of a call is the same read (ListRead.All); the bound only caps the answer array.
    private const int MaxBatch = 4096;

    private readonly ConcurrentDictionary<Type, object> _tables = new();

    public Task<ListSlice> ReadJsonAsync<TRecord>(ListRead read) where TRecord : ITableRecord
    {
        if (read == ListRead.All && local.Find<TRecord>() is { } current)
        {
            return Task.FromResult(current);
        }
        var table = TableOf<TRecord>();
        if (read != ListRead.All)
        {
            return table.Leased?.Page(read) is { } held ? Task.FromResult(held) : table.AttemptAsync(read);
        }
        return table.Leased?.Current is { } leased ? Task.FromResult(leased) : table.WholeList.CallAsync(read);
    }

    /// <summary>The table's version (what a list's <c>ETag</c> is made of): the one in memory, or asked of its index directly.</summary>
    public Task<TableRevision> VersionAsync<TRecord>() where TRecord : ITableRecord
    {
        if (local.Find<TRecord>() is { Version: { } current })
        {
            return Task.FromResult(current);
        }
        var table = TableOf<TRecord>();
        return (table.Leased?.Current?.Version ?? table.Leased?.PagesVersion) is { } leased ? Task.FromResult(leased) : table.Index.VersionAsync();
    }

    private Table<TRecord> TableOf<TRecord>() where TRecord : ITableRecord =>
        (Table<TRecord>)_tables.GetOrAdd(typeof(TRecord), _ => new Table<TRecord>(grains.TableIndex<TRecord>(), leases, gateways));

    /// <summary>
    /// One table's index and its coalescer. The reference is made once: a reference to a generic grain interface
    /// resolves the interface's type name each time it is made (about 1 µs of the web client's CPU per call).
    /// </summary>
    private sealed class Table<TRecord> where TRecord : ITableRecord
    {
        private readonly GatewayLosses _gateways;
        private readonly LeasedWholeLists _leases;

        public Table(ITableIndexGrain<TRecord> index, LeasedWholeLists leases, GatewayLosses gateways)
        {
            Index = index;
            _leases = leases;
            _gateways = gateways;
            Leased = leases.Enabled ? leases.Of<TRecord>() : null;
            WholeList = new CallCoalescer<ListRead, ListSlice>(ReadOnceAsync, MaxBatch);
        }

        public ITableIndexGrain<TRecord> Index { get; }

        /// <summary>The whole list this web client holds under a lease; null when leases are off.</summary>
        public LeasedWholeLists.Holding? Leased { get; }

        public CallCoalescer<ListRead, ListSlice> WholeList { get; }

        /// <summary>One read of the index, one attempt (a page, asked with a lease when leases are on; the whole list for all the readers of a shared call).</summary>
        public Task<ListSlice> AttemptAsync(ListRead read) => _gateways.AttemptAsync(
            () => Leased is { } leased && read.Remaining is not null ? _leases.ReadPageAsync(Index, leased, read) : Index.ReadJsonAsync(read),
            CancellationToken.None);

        private async Task<ListSlice[]> ReadOnceAsync(ListRead[] reads)
        {
            var slice = Leased is { } leased
                ? await _gateways.AttemptAsync(() => _leases.ReadAsync(Index, leased), CancellationToken.None)
                : await AttemptAsync(ListRead.All);
            return [.. Enumerable.Repeat(slice, reads.Length)];
        }
    }
}
