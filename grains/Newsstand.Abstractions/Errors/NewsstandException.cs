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

/// <summary>The write names a row of another table that does not exist.</summary>
[GenerateSerializer, Alias("Newsstand.MissingReferenceException")]
public sealed class MissingReferenceException(string field, string table, int referencedId)
    : NewsstandException($"{field} refers to {table} {referencedId}, which does not exist.")
{
    [Id(0)] public string Field { get; } = field;
    [Id(1)] public string Table { get; } = table;
    [Id(2)] public int ReferencedId { get; } = referencedId;
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
