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
/// <see cref="WholeListLeaseOptions.WholeListLease"/> zero asks for none.
/// </summary>
internal sealed class LeasedWholeLists(IGrainFactory grains, IOptions<WholeListLeaseOptions> options) : IWholeListHolder
{
    private readonly TimeSpan _asked = options.Value.WholeListLease;
    private readonly ConcurrentDictionary<string, Holding> _tables = new();
    private IWholeListHolder? _self;

    public bool Enabled => _asked > TimeSpan.Zero;

    /// <summary>One table's leased list; made once per table, so a read finds it without a lookup.</summary>
    public Holding Of<TRecord>() where TRecord : ITableRecord => _tables.GetOrAdd(LeasedList.TableKey<TRecord>(), _ => new Holding());

    /// <summary>Asks <paramref name="index"/> for its whole list with a lease, and keeps the list while the lease holds.</summary>
    public async Task<ListSlice> ReadAsync<TRecord>(ITableIndexGrain<TRecord> index, Holding holding) where TRecord : ITableRecord
    {
        var revocations = holding.Revocations;
        var sent = Stopwatch.GetTimestamp();
        var answer = await index.ReadLeasedAsync(_self ??= grains.CreateObjectReference<IWholeListHolder>(this), _asked);
        if (answer.Lease > TimeSpan.Zero)
        {
            holding.Keep(answer.List, sent + (long)(answer.Lease.TotalSeconds * 0.9 * Stopwatch.Frequency), revocations);
        }
        return answer.List;
    }

    public Task RevokeAsync(string table)
    {
        _tables.GetOrAdd(table, _ => new Holding()).Revoke();
        return Task.CompletedTask;
    }

    internal sealed class Holding
    {
        private readonly Lock _lock = new();
        private Lease? _lease;
        private int _revocations;

        public int Revocations => Volatile.Read(ref _revocations);

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
            }
        }
    }

    private sealed record Lease(ListSlice List, long EndsAt);
}
