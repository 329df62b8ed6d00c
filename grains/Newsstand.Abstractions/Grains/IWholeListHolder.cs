using Newsstand.Records;

namespace Newsstand.Grains;

/// <summary>
/// A web client that may answer whole lists and pages from memory under a lease (one observer per web client, across
/// tables). A table's index calls it, and waits for the answer, before it acknowledges a write to a table whose whole list
/// or chunk renderings the client may hold: from then on the client asks the index again.
/// </summary>
public interface IWholeListHolder : IGrainObserver
{
    /// <summary>Drop the lease on <paramref name="table"/> (<see cref="LeasedList.TableKey{TRecord}"/>): its whole list and
    /// every chunk rendering held for its pages, and any lease now on its way.</summary>
    Task RevokeAsync(string table);
}

/// <summary>A table's whole list and how long it may be answered from memory (<see cref="TimeSpan.Zero"/>: no lease, answer it once).</summary>
[GenerateSerializer, Immutable, Alias("Newsstand.LeasedList")]
public sealed record LeasedList([property: Id(0)] ListSlice List, [property: Id(1)] TimeSpan Lease)
{
    /// <summary>How a table is named in a revocation.</summary>
    public static string TableKey<TRecord>() where TRecord : ITableRecord => typeof(TRecord).FullName!;
}

/// <summary>
/// A page (<see cref="Page"/>, what the index answers for it), and when <see cref="Lease"/> is above zero the rendering of
/// the chunk it lies in, <see cref="ChunkStart"/> rows from the table's start (<see cref="LastChunk"/>: no chunk with rows
/// follows it): until the lease ends, or the index revokes it, any page inside that chunk may be answered from it.
/// </summary>
[GenerateSerializer, Immutable, Alias("Newsstand.LeasedPage")]
public sealed record LeasedPage(
    [property: Id(0)] ListSlice Page,
    [property: Id(1)] ChunkRendering? Chunk,
    [property: Id(2)] long ChunkStart,
    [property: Id(3)] bool LastChunk,
    [property: Id(4)] TimeSpan Lease);
