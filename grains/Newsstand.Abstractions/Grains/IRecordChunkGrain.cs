using Newsstand.Records;

namespace Newsstand.Grains;

/// <summary>The owner of one chunk of a record table (every table but login).</summary>
public interface IRecordChunkGrain<TRecord> : ITableChunkGrain<TRecord>
    where TRecord : ITableRecord
{
    /// <summary>Inserts the row and answers once it is committed. Throws <see cref="Errors.RecordConflictException"/>
    /// for a duplicate id, <see cref="Errors.MissingReferenceException"/> naming every reference to a missing row,
    /// and <see cref="Errors.StorageUnavailableException"/> when the database cannot take the write.</summary>
    Task<TRecord> AddAsync(TRecord record);

    /// <summary>Inserts the row like <see cref="AddAsync"/>, with <paramref name="companion"/> committed in the same
    /// transaction: both are stored or neither is. Throws what <see cref="AddAsync"/> throws, and
    /// <see cref="Errors.StaleWriteException"/> when the companion's expected row is no longer the stored one.</summary>
    Task<TRecord> AddWithCompanionAsync(TRecord record, CompanionRow companion);
}
