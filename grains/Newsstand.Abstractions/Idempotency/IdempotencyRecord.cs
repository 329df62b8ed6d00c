namespace Newsstand.Idempotency;

/// <summary>
/// The stored answer to the first request a caller sent with one <c>Idempotency-Key</c>: whose key it is
/// (<see cref="Scope"/>: the caller), the request it answered (<see cref="Fingerprint"/>: method, path, query and body
/// hashed), and the answer itself (status, the headers a replay repeats, body). <see cref="CreatedAtMs"/> (Unix
/// milliseconds, the silo's clock) starts its retention. Also the row of table <c>idempotency_key</c>; where the
/// request's effect is a database row, it is committed in the same transaction as that row.
/// </summary>
[GenerateSerializer, Immutable, Alias("Newsstand.IdempotencyRecord")]
public sealed record IdempotencyRecord(
    [property: Id(0)] string Scope,
    [property: Id(1)] string Key,
    [property: Id(2)] string Fingerprint,
    [property: Id(3)] int Status,
    [property: Id(4)] string? ContentType,
    [property: Id(5)] string? Location,
    [property: Id(6)] byte[] Body,
    [property: Id(7)] long CreatedAtMs)
{
    /// <summary>Longest key (characters), as the header allows it.</summary>
    public const int KeyLength = 255;

    /// <summary>Longest caller scope (characters): a client address, or a token's subject.</summary>
    public const int ScopeLength = 300;

    /// <summary>A fingerprint: SHA-256 in lowercase hex.</summary>
    public const int FingerprintLength = 64;

    /// <summary>Largest body kept (bytes); a larger answer is not stored and its key stays free.</summary>
    public const int MaxBodyBytes = 256 * 1024;

    /// <summary>Longest content type or location kept (characters).</summary>
    public const int HeaderLength = 1000;
}
