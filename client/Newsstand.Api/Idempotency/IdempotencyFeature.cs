using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Newsstand.Grains;
using Newsstand.Idempotency;

namespace Newsstand.Api.Idempotency;

/// <summary>
/// The request's idempotency key, for endpoints whose effect can carry it (an <c>HttpContext</c> feature, set only while
/// the key is held for this request): a record add, a login add or update stores its answer in the row's own transaction
/// (<see cref="StoredWithEffect"/>), a topic send appends under <see cref="MessageId"/>, so a retry appends nothing new.
/// </summary>
internal sealed class IdempotencyFeature(string scope, string key, string fingerprint)
{
    public string Scope { get; } = scope;

    public string Key { get; } = key;

    public string Fingerprint { get; } = fingerprint;

    /// <summary>Set by an endpoint whose transaction stored the answer with the effect.</summary>
    public bool StoredWithEffect { get; set; }

    /// <summary>The topic message id of a send with this key: the same for every retry of it, unique per caller and key.</summary>
    public string MessageId => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(IdempotencyKeys.GrainKey(Scope, Key))));

    /// <summary>The 200 answer carrying <paramref name="value"/> as JSON, byte for byte as <c>TypedResults.Ok</c> writes it with
    /// <paramref name="json"/>: for an endpoint that stores its answer in its effect's transaction, so before it answers.</summary>
    public IdempotencyRecord OkAnswer<T>(T value, JsonSerializerOptions json) =>
        Answer(StatusCodes.Status200OK, "application/json; charset=utf-8", null, JsonSerializer.SerializeToUtf8Bytes(value, json));

    /// <summary>An answer to store under this key (its time is set where it is stored).</summary>
    public IdempotencyRecord Answer(int status, string? contentType, string? location, byte[] body) =>
        new(Scope, Key, Fingerprint, status, contentType, location, body, CreatedAtMs: 0);
}
