using Newsstand.Records;

namespace Newsstand.Grains;

/// <summary>
/// A web client that may answer whole lists from memory under a lease (one observer per web client, across tables).
/// A table's index calls it, and waits for the answer, before it acknowledges a write to a table whose whole list the
/// client may hold: from then on the client asks the index again.
/// </summary>
public interface IWholeListHolder : IGrainObserver
{
    /// <summary>Drop the lease on <paramref name="table"/>'s whole list (<see cref="LeasedList.TableKey{TRecord}"/>), and any lease now on its way.</summary>
    Task RevokeAsync(string table);
}

/// <summary>A table's whole list and how long it may be answered from memory (<see cref="TimeSpan.Zero"/>: no lease, answer it once).</summary>
[GenerateSerializer, Immutable, Alias("Newsstand.LeasedList")]
public sealed record LeasedList([property: Id(0)] ListSlice List, [property: Id(1)] TimeSpan Lease)
{
    /// <summary>How a table is named in a revocation.</summary>
    public static string TableKey<TRecord>() where TRecord : ITableRecord => typeof(TRecord).FullName!;
}
