using Newsstand.Records;

namespace Newsstand.Tables;

/// <summary>
/// Ids of one chunk reserved by writers that commit the rows themselves (a topic consumer's batch), grouped by
/// holder, each group with the time it was taken, so that the groups of a holder that never came back can be found.
/// </summary>
internal sealed class ChunkReservations<TRow>(TimeProvider time, TimeSpan lease) where TRow : ITableRecord
{
    private readonly Dictionary<Guid, (List<TRow> Rows, long Since)> _holders = [];

    public int Count => _holders.Count;

    public void Add(Guid holder, TRow row)
    {
        if (!_holders.TryGetValue(holder, out var group))
        {
            _holders[holder] = group = ([], time.GetTimestamp());
        }
        group.Rows.Add(row);
    }

    /// <summary>The rows <paramref name="holder"/> reserved (none if its lease ran out), no longer reserved.</summary>
    public List<TRow> Take(Guid holder) => _holders.Remove(holder, out var group) ? group.Rows : [];

    /// <summary>Holders whose lease has run out.</summary>
    public Guid[] Expired() => [.. _holders.Where(h => time.GetElapsedTime(h.Value.Since) > lease).Select(h => h.Key)];
}
