using Newsstand.Idempotency;

namespace Newsstand.Grains;

/// <summary>
/// One caller's <c>Idempotency-Key</c>: it lets the first request with the key run (holding the key while it runs),
/// stores that request's answer durably, and answers every repeat with it. Key: <see cref="IdempotencyKeys.GrainKey"/>
/// of the caller's scope and the key. The stored answer outlives the activation and the silo (table
/// <c>idempotency_key</c>); the hold on a running request does not (a retry after a silo loss runs again, and an
/// effect stored with its key in one transaction is then found stored).
/// </summary>
public interface IIdempotencyKeyGrain : IGrainWithStringKey
{
    /// <summary>The verdict for a request with <paramref name="fingerprint"/>; on <see cref="IdempotencyVerdict.Proceed"/> the key is held for it.</summary>
    Task<IdempotencyStart> BeginAsync(string fingerprint);

    /// <summary>
    /// Stores <paramref name="answer"/> as the key's answer (unless <paramref name="storedWithEffect"/>: the effect's own
    /// transaction stored it already) and releases the hold. Completes once the answer is durable.
    /// </summary>
    Task CompleteAsync(IdempotencyRecord answer, bool storedWithEffect);

    /// <summary>Releases the hold without storing an answer (a 5xx, or an answer that is not kept): the key stays retryable.</summary>
    Task AbandonAsync(string fingerprint);
}

/// <summary>How callers find the grain of an idempotency key.</summary>
public static class IdempotencyKeys
{
    /// <summary>The grain key of (<paramref name="scope"/>, <paramref name="key"/>): the scope's length, a colon, the scope, the key.</summary>
    public static string GrainKey(string scope, string key) => $"{scope.Length}:{scope}{key}";

    /// <summary>The scope and key inside <paramref name="grainKey"/> (made by <see cref="GrainKey"/>).</summary>
    public static (string Scope, string Key) Parse(string grainKey)
    {
        var colon = grainKey.IndexOf(':', StringComparison.Ordinal);
        var length = int.Parse(grainKey.AsSpan(0, colon), System.Globalization.CultureInfo.InvariantCulture);
        return (grainKey.Substring(colon + 1, length), grainKey[(colon + 1 + length)..]);
    }

    public static IIdempotencyKeyGrain IdempotencyKey(this IGrainFactory grains, string scope, string key) =>
        grains.GetGrain<IIdempotencyKeyGrain>(GrainKey(scope, key));
}
