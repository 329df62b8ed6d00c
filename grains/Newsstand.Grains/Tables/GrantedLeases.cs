using System.Diagnostics;
using Newsstand.Grains;

namespace Newsstand.Tables;

/// <summary>
/// The whole-list leases one table index activation granted, and their revocation. A write's report completes only
/// once no web client can still answer the list from before it: every holder has acknowledged its revocation or its
/// lease has ended (a holder that fails or does not answer delays the write until then, never longer). A new activation
/// does not know the leases an earlier one granted, so its reports complete no sooner than one full lease after it
/// started (<see cref="_started"/>). Time here is the monotonic clock: a holder counts its lease from before it sent the
/// request, less a margin, so it always ends before the end recorded here.
/// </summary>
internal sealed class GrantedLeases(TimeSpan longest)
{
    private readonly long _started = Stopwatch.GetTimestamp();
    // Holder → when its latest lease ends (Stopwatch timestamp).
    private Dictionary<IWholeListHolder, long> _holders = [];
    private bool _pastStart = longest <= TimeSpan.Zero;
    // The revocations still under way: a later report completes no sooner (the index is reentrant, so a report can
    // arrive while an earlier one waits for a holder that may still answer the list from before both writes).
    private Task _pending = Task.CompletedTask;

    /// <summary>Records a lease of at most <paramref name="asked"/> for <paramref name="holder"/>, from now; answers its length (zero: none).</summary>
    public TimeSpan Grant(IWholeListHolder holder, TimeSpan asked)
    {
        var lease = asked < longest ? asked : longest;
        if (lease <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }
        _holders[holder] = After(Stopwatch.GetTimestamp(), lease);
        return lease;
    }

    /// <summary>
    /// Revokes every outstanding lease on <paramref name="table"/>'s list (the caller has already changed what it answers);
    /// completes when none can be answered any more, and not before the revocations of earlier reports have completed.
    /// Synchronous when there is none, none is under way and this activation is past its first lease.
    /// </summary>
    public Task RevokeAsync(string table)
    {
        var settled = _pastStart || (_pastStart = Stopwatch.GetElapsedTime(_started) >= longest);
        if (_holders.Count == 0 && settled && _pending.IsCompleted)
        {
            return Task.CompletedTask;
        }
        var holders = _holders;
        _holders = [];
        var waits = holders.Select(holder => RevokeOneAsync(holder.Key, table, holder.Value)).ToList();
        if (!settled)
        {
            waits.Add(UntilAsync(After(_started, longest)));
        }
        if (!_pending.IsCompleted)
        {
            waits.Add(_pending);
        }
        // Never faults: a revocation that fails waits out its lease instead.
        _pending = Task.WhenAll(waits);
        return _pending;
    }

    private static async Task RevokeOneAsync(IWholeListHolder holder, string table, long endsAt)
    {
        var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), endsAt);
        if (left <= TimeSpan.Zero)
        {
            return;
        }
        try
        {
            await holder.RevokeAsync(table).WaitAsync(left);
        }
        catch (Exception)
        {
            // Gone, cut off, failing or slow: it may still answer the old list until its lease ends, and no longer.
            await UntilAsync(endsAt);
        }
    }

    private static Task UntilAsync(long timestamp) =>
        Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), timestamp) is { Ticks: > 0 } left ? Task.Delay(left) : Task.CompletedTask;

    private static long After(long timestamp, TimeSpan span) => timestamp + (long)(span.TotalSeconds * Stopwatch.Frequency);
}
