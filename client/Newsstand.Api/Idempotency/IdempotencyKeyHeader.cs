using Newsstand.Idempotency;

namespace Newsstand.Api.Idempotency;

/// <summary>
/// The <c>Idempotency-Key</c> request header (IETF draft "The Idempotency-Key HTTP Header Field"): 1 to
/// <see cref="IdempotencyRecord.KeyLength"/> printable ASCII characters (space to tilde), given once. The draft's
/// structured-field form (the key in double quotes) and a bare key (as most APIs take it) name the same key.
/// </summary>
internal static class IdempotencyKeyHeader
{
    public const string Name = "Idempotency-Key";

    public static readonly string Rule = $"The Idempotency-Key header must be given once, with 1 to {IdempotencyRecord.KeyLength} printable ASCII characters.";

    /// <summary>The key of <paramref name="request"/>: null when it has none; false when it has a malformed one.</summary>
    public static bool TryRead(HttpRequest request, out string? key)
    {
        key = null;
        var values = request.Headers[Name];
        if (values.Count == 0)
        {
            return true;
        }
        if (values.Count > 1 || values[0] is not { } raw)
        {
            return false;
        }
        if (raw.Length >= 2 && raw[0] == '"' && raw[^1] == '"')
        {
            raw = raw[1..^1];
        }
        if (raw.Length is < 1 or > IdempotencyRecord.KeyLength || raw.Any(c => c is < ' ' or > '~'))
        {
            return false;
        }
        key = raw;
        return true;
    }
}
