using Newsstand.Records;

namespace Newsstand.Grains;

/// <summary>The owner of one chunk of a record table (every table but login).</summary>
public interface IRecordChunkGrain<TRecord> : ITableChunkGrain<TRecord>
    where TRecord : ITableRecord
{
    /// <summary>Inserts the row and answers once it is committed. Throws <see cref="Errors.RecordConflictException"/>
    /// for a duplicate id, <see cref="Errors.WriteInProgressException"/> while another write of the id is in flight,
    /// <see cref="Errors.MissingReferenceException"/> naming every reference to a missing row,
    /// <see cref="Errors.StorageUnavailableException"/> when the database cannot take the write, and
    /// <see cref="Errors.CommitOutcomeUnknownException"/> when its commit's outcome is unknown (the chunk re-reads its rows).</summary>
    Task<TRecord> AddAsync(TRecord record);

    /// <summary>Inserts each of <paramref name="records"/> as <see cref="AddAsync"/> does, in one call (a web client gathers
    /// the adds that arrive for this chunk while its previous call is under way); answers, in order, each insert's domain
    /// error, or null for a committed row. Each row succeeds or fails on its own.</summary>
    Task<Errors.NewsstandException?[]> AddManyAsync(TRecord[] records);

    /// <summary>Inserts the row like <see cref="AddAsync"/>, with <paramref name="companion"/> committed in the same
    /// transaction: both are stored or neither is. Throws what <see cref="AddAsync"/> throws, and
    /// <see cref="Errors.StaleWriteException"/> when the companion's expected row is no longer the stored one.</summary>
    Task<TRecord> AddWithCompanionAsync(TRecord record, CompanionRow companion);

    /// <summary>Inserts the row like <see cref="AddAsync"/>, with the answer to the caller's <c>Idempotency-Key</c> committed in
    /// the same transaction (its retention starts at the chunk's clock): a retry of a write whose outcome was unknown finds
    /// the answer stored exactly when the row is. Throws what <see cref="AddAsync"/> throws.</summary>
    Task<TRecord> AddKeyedAsync(TRecord record, Idempotency.IdempotencyRecord answer);

    /// <summary>
    /// Reserves the ids of <paramref name="records"/>, in order, for inserts that <paramref name="holder"/> commits in a
    /// transaction of its own (a topic consumer's batch), and answers for each whether it was reserved, is stored already
    /// (with the same data, or other data), or is being written. Reserved ids stay "being written" until
    /// <see cref="SettleAsync"/>, or until a lease of a minute runs out (then the chunk re-reads them from the database).
    /// </summary>
    Task<Reservation[]> ReserveAsync(TRecord[] records, Guid holder);

    /// <summary>Ends <paramref name="holder"/>'s reservations: the rows with ids in <paramref name="stored"/> were committed
    /// and are shown from now on; the others were not. With <paramref name="outcomeKnown"/> false (the commit's outcome is
    /// unknown) the chunk re-reads the reserved ids from the database instead.</summary>
    Task SettleAsync(Guid holder, int[] stored, bool outcomeKnown);
}

/// <summary>What became of one id a writer asked the owner to reserve.</summary>
[GenerateSerializer]
public enum Reservation
{
    /// <summary>Reserved for the writer.</summary>
    Reserved,

    /// <summary>A row with this id and the same data is stored already.</summary>
    StoredAlready,

    /// <summary>A row with this id but other data is stored: a final conflict.</summary>
    StoredOther,

    /// <summary>Another write of this id is in flight: ask again shortly.</summary>
    Busy,
}
