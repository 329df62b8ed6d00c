using Orleans.Concurrency;
using Newsstand.Records;

namespace Newsstand.Grains;

/// <summary>
/// The owner of one record table: every write to the table goes through it, so the list it serves
/// from memory is always the committed table. One activation per table, key <see cref="TableGrainKey.Value"/>.
/// </summary>
public interface ITableGrain<TRecord> : IRowLookupGrain
    where TRecord : ITableRecord
{
    /// <summary>Inserts the row and answers once it is committed; throws <see cref="Errors.RecordConflictException"/>
    /// for a duplicate id and <see cref="Errors.MissingReferenceException"/> for a reference to a missing row.</summary>
    Task<TRecord> AddAsync(TRecord record);

    /// <summary>The rows of <paramref name="page"/>, ordered by id, rendered as the API's JSON array.</summary>
    [ReadOnly]
    Task<byte[]> ListJsonAsync(Page page);
}

/// <summary>A table owner asked whether a row exists, to check a reference before a write.</summary>
public interface IRowLookupGrain : IGrainWithIntegerKey
{
    /// <summary>Whether a row with this id is committed.</summary>
    [ReadOnly]
    Task<bool> ContainsAsync(int id);
}

/// <summary>The key of every table grain: each table has exactly one owner.</summary>
public static class TableGrainKey
{
    public const long Value = 0;
}
