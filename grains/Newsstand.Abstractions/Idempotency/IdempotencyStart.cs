namespace Newsstand.Idempotency;

/// <summary>What a request with an <c>Idempotency-Key</c> finds when it asks its key's grain to begin.</summary>
public enum IdempotencyVerdict
{
    /// <summary>The key is new (or its answer was not stored): the request runs, and the key is held for it meanwhile.</summary>
    Proceed,

    /// <summary>The same request was answered before: <see cref="IdempotencyStart.Answer"/> is that answer.</summary>
    Replay,

    /// <summary>The key was used for a different request (another method, path, query or body).</summary>
    Mismatch,

    /// <summary>The same request is running now under this key.</summary>
    InProgress,
}

/// <summary>The verdict for a keyed request, with the stored answer for a <see cref="IdempotencyVerdict.Replay"/>.</summary>
[GenerateSerializer, Immutable, Alias("Newsstand.IdempotencyStart")]
public sealed record IdempotencyStart([property: Id(0)] IdempotencyVerdict Verdict, [property: Id(1)] IdempotencyRecord? Answer = null);
