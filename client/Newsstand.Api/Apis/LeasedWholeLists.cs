using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Options;
using Newsstand.Grains;
using Newsstand.Records;

namespace Newsstand.Api.Apis;

/// <summary>
/// The whole lists this web client may answer from memory: each under a lease from its table's index, until the lease
/// ends or the index revokes it (this is the web client's one <see cref="IWholeListHolder"/>). A lease is counted from
/// before its request was sent, less a tenth, on the monotonic clock, so it ends before the index's record of it ends.
/// A revocation that arrives before the answer that carries a lease voids that lease: a list is kept only when no
/// revocation of its table came in while it was asked. Renewal is the next read after the end, a normal call.
/// Pages ride on the same lease: a page asked of the index (<see cref="ReadPageAsync"/>) may come with the rendering of
/// the chunk it lies in, and every page inside a held chunk is then answered from memory (<see cref="LeasedPages"/>)
/// while the table's lease holds; after it ends, the next page read renews it for all held chunks at once by one small
/// call, granted only while the table is still at the version they show. A revocation drops them with the whole list.
/// A table revoked within the last lease is read page by page as before: its writes would drop each rendering (about
/// 256 KB) after one page. <see cref="WholeListLeaseOptions.WholeListLease"/> zero asks for none.
/// </summary>
internal sealed class LeasedWholeLists(IGrainFactory grains, IOptions<WholeListLeaseOptions> options) : IWholeListHolder
{
    private readonly TimeSpan _asked = options.Value.WholeListLease;
    private readonly ConcurrentDictionary<string, Holding> _tables = new();
    private IWholeListHolder? _self;

    /// <summary>This web client's observer reference, made once (every lease is granted to it).</summary>
    private IWholeListHolder Self => _self ??= grains.CreateObjectReference<IWholeListHolder>(this);

    public bool Enabled => _asked > TimeSpan.Zero;

    /// <summary>One table's leased list; made once per table, so a read finds it without a lookup.</summary>
    public Holding Of<TRecord>() where TRecord : ITableRecord => _tables.GetOrAdd(LeasedList.TableKey<TRecord>(), _ => new Holding());

    /// <summary>Asks <paramref name="index"/> for its whole list with a lease, and keeps the list while the lease holds.</summary>
    public async Task<ListSlice> ReadAsync<TRecord>(ITableIndexGrain<TRecord> index, Holding holding) where TRecord : ITableRecord
    {
        var revocations = holding.Revocations;
        var sent = Stopwatch.GetTimestamp();
        var answer = await index.ReadLeasedAsync(Self, _asked);
        if (answer.Lease > TimeSpan.Zero)
        {
            holding.Keep(answer.List, EndOf(sent, answer.Lease), revocations);
        }
        return answer.List;
    }

    /// <summary>
    /// Asks <paramref name="index"/> for the page <paramref name="read"/> (not held: <see cref="Holding.Page"/> answered
    /// null), renewing the lease of the held chunks first when it has ended, and keeps the rendering that comes with it.
    /// </summary>
    public async Task<ListSlice> ReadPageAsync<TRecord>(ITableIndexGrain<TRecord> index, Holding holding, ListRead read) where TRecord : ITableRecord
    {
        if (holding.Renewable is { } seen)
        {
            var (revocations, sent) = (holding.Revocations, Stopwatch.GetTimestamp());
            var renewed = await index.RenewLeaseAsync(Self, seen, _asked);
            holding.Renewed(seen, renewed > TimeSpan.Zero ? EndOf(sent, renewed) : null, revocations);
            if (holding.Page(read) is { } answered)
            {
                return answered;
            }
        }
        if (!holding.QuietFor(_asked))
        {
            return await index.ReadJsonAsync(read);
        }
        var before = holding.Revocations;
        var asked = Stopwatch.GetTimestamp();
        var answer = await index.ReadLeasedPageAsync(Self, read, _asked);
        if (answer.Lease > TimeSpan.Zero)
        {
            holding.KeepPage(answer, EndOf(asked, answer.Lease), before);
        }
        return answer.Page;
    }

    public Task RevokeAsync(string table)
    {
        _tables.GetOrAdd(table, _ => new Holding()).Revoke();
        return Task.CompletedTask;
    }

    /// <summary>Where a lease granted for a request sent at <paramref name="sent"/> ends here: a tenth early.</summary>
    private static long EndOf(long sent, TimeSpan lease) => sent + (long)(lease.TotalSeconds * 0.9 * Stopwatch.Frequency);

    internal sealed class Holding
    {
        private readonly Lock _lock = new();
        private readonly LeasedPages _pages = new();
        private Lease? _lease;
        private int _revocations;
        private long _revokedAt = long.MinValue;
        // When the lease on the held chunk renderings ends (Stopwatch timestamp).
        private long _pagesEndAt;

        public int Revocations => Volatile.Read(ref _revocations);

        // Chunk renderings are held and their lease holds; read under the lock.
        private bool PagesLeased => _pages.Count > 0 && Stopwatch.GetTimestamp() < _pagesEndAt;

        /// <summary>How many chunk renderings are held for pages (whether or not their lease holds).</summary>
        public int HeldChunks
        {
            get
            {
                lock (_lock)
                {
                    return _pages.Count;
                }
            }
        }

        /// <summary>The page from a held chunk while the lease holds; null: ask the index.</summary>
        public ListSlice? Page(ListRead read)
        {
            lock (_lock)
            {
                return PagesLeased ? _pages.Answer(read) : null;
            }
        }

        /// <summary>The version of the held chunks while their lease holds (what a page's tag is made of); null otherwise.</summary>
        public TableRevision? PagesVersion
        {
            get
            {
                lock (_lock)
                {
                    return PagesLeased ? _pages.Version : null;
                }
            }
        }

        /// <summary>The version of the held chunks when their lease has ended and may be renewed; null otherwise.</summary>
        public TableRevision? Renewable
        {
            get
            {
                lock (_lock)
                {
                    return _pages.Count > 0 && !PagesLeased ? _pages.Version : null;
                }
            }
        }

        /// <summary>No revocation of this table in the last <paramref name="lease"/>.</summary>
        public bool QuietFor(TimeSpan lease)
        {
            var at = Volatile.Read(ref _revokedAt);
            return at == long.MinValue || Stopwatch.GetElapsedTime(at) >= lease;
        }

        public void KeepPage(LeasedPage answer, long endsAt, int revocationsBefore)
        {
            lock (_lock)
            {
                if (_revocations != revocationsBefore)
                {
                    return;
                }
                var version = _pages.Version;
                _pages.Keep(answer);
                // A rendering of another version replaced the held ones: only this answer's lease covers what is held now.
                _pagesEndAt = version == _pages.Version ? Math.Max(_pagesEndAt, endsAt) : endsAt;
            }
        }

        /// <summary>The index answered a renewal of the chunks held at <paramref name="seen"/>: until <paramref name="endsAt"/>, or none (dropped).</summary>
        public void Renewed(TableRevision seen, long? endsAt, int revocationsBefore)
        {
            lock (_lock)
            {
                if (_revocations != revocationsBefore || _pages.Version != seen)
                {
                    return;
                }
                if (endsAt is { } end)
                {
                    _pagesEndAt = Math.Max(_pagesEndAt, end);
                }
                else
                {
                    _pages.Clear();
                }
            }
        }

        /// <summary>The list while its lease holds.</summary>
        public ListSlice? Current => Volatile.Read(ref _lease) is { } lease && Stopwatch.GetTimestamp() < lease.EndsAt ? lease.List : null;

        public void Keep(ListSlice list, long endsAt, int revocationsBefore)
        {
            lock (_lock)
            {
                if (_revocations == revocationsBefore)
                {
                    Volatile.Write(ref _lease, new Lease(list, endsAt));
                }
            }
        }

        public void Revoke()
        {
            lock (_lock)
            {
                _revocations++;
                Volatile.Write(ref _lease, null);
                _pages.Clear();
                Volatile.Write(ref _revokedAt, Stopwatch.GetTimestamp());
            }
        }
    }

    private sealed record Lease(ListSlice List, long EndsAt);
}
