namespace Newsstand.Errors;

/// <summary>
/// A domain failure a grain reports to its caller. The web client maps each kind to one problem+json
/// answer; none of them carries a password, a hash or a stack trace to the caller.
/// </summary>
[GenerateSerializer, Alias("Newsstand.NewsstandException")]
public abstract class NewsstandException : Exception
{
    protected NewsstandException(string message) : base(message) { }
}

/// <summary>The write collides with a stored row: a duplicate id, a taken unique value, or a concurrent write to the same row.</summary>
[GenerateSerializer, Alias("Newsstand.RecordConflictException")]
public sealed class RecordConflictException(string field, string message) : NewsstandException(message)
{
    [Id(0)] public string Field { get; } = field;
}

/// <summary>The write names rows of other tables that do not exist; every missing reference is listed.</summary>
[GenerateSerializer, Alias("Newsstand.MissingReferenceException")]
public sealed class MissingReferenceException(IReadOnlyList<MissingReference> references)
    : NewsstandException(string.Join(" ", references.Select(r => r.Message)))
{
    [Id(0)] public IReadOnlyList<MissingReference> References { get; } = references;
}

/// <summary>One foreign key of a rejected row whose target does not exist.</summary>
[GenerateSerializer, Immutable, Alias("Newsstand.MissingReference")]
public sealed record MissingReference([property: Id(0)] string Field, [property: Id(1)] string Table, [property: Id(2)] int ReferencedId)
{
    public string Message => $"{Field} refers to {Table} {ReferencedId}, which does not exist.";
}

/// <summary>The row to change does not exist.</summary>
[GenerateSerializer, Alias("Newsstand.RecordNotFoundException")]
public sealed class RecordNotFoundException(string table, int id) : NewsstandException($"{table} {id} does not exist.")
{
    [Id(0)] public string Table { get; } = table;
    [Id(1)] public int RecordId { get; } = id;
}

/// <summary>A bounded queue is full: the caller should come back after <see cref="RetryAfterSeconds"/>.</summary>
[GenerateSerializer, Alias("Newsstand.OverloadedException")]
public sealed class OverloadedException(string lane, int retryAfterSeconds)
    : NewsstandException($"The {lane} lane is full; retry after {retryAfterSeconds} s.")
{
    [Id(0)] public string Lane { get; } = lane;
    [Id(1)] public int RetryAfterSeconds { get; } = retryAfterSeconds;
}

/// <summary>The database cannot take the write right now (unreachable, read-only, disk full): nothing was stored; retry later.</summary>
[GenerateSerializer, Alias("Newsstand.StorageUnavailableException")]
public sealed class StorageUnavailableException(string reason, int retryAfterSeconds)
    : NewsstandException($"The database is unavailable ({reason}); nothing was stored. Retry after {retryAfterSeconds} s.")
{
    [Id(0)] public int RetryAfterSeconds { get; } = retryAfterSeconds;
}

/// <summary>A conditional write found the stored row changed since the writer read it: nothing was stored.</summary>
[GenerateSerializer, Alias("Newsstand.StaleWriteException")]
public sealed class StaleWriteException(string table) : NewsstandException($"A {table} row changed since it was read; nothing was stored.")
{
    [Id(0)] public string Table { get; } = table;
}

/// <summary>
/// The connection to the database was lost while the write was being committed: it may or may not be stored.
/// The owner re-reads its rows before it serves again; a retry with the same Idempotency-Key (for a topic send:
/// the same message id) takes effect at most once.
/// </summary>
[GenerateSerializer, Alias("Newsstand.CommitOutcomeUnknownException")]
public sealed class CommitOutcomeUnknownException(int retryAfterSeconds)
    : NewsstandException($"The database connection was lost while committing; the outcome is unknown. Retry with the same Idempotency-Key after {retryAfterSeconds} s.")
{
    [Id(0)] public int RetryAfterSeconds { get; } = retryAfterSeconds;
}

/// <summary>Another request is writing the same row at this moment: nothing was stored, and a retry shortly may succeed.
/// Not a final conflict (that is <see cref="RecordConflictException"/>).</summary>
[GenerateSerializer, Alias("Newsstand.WriteInProgressException")]
public sealed class WriteInProgressException(string table, int id) : NewsstandException($"{table} {id} is being written by another request; retry.")
{
    public const int RetryAfterSeconds = 1;

    [Id(0)] public string Table { get; } = table;

    [Id(1)] public int RecordId { get; } = id;
}
