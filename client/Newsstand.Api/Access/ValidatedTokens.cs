using System.Collections.Concurrent;
using System.Security.Claims;

namespace Newsstand.Api.Access;

/// <summary>
/// Tokens this web client has validated, by their exact text (signature included), until they expire: checking an
/// ES256 signature costs on the order of 100 µs of CPU per request, a lookup well under one. Only a token that passed
/// every check is kept; a hit is checked against its lifetime again by this web client's clock, and gets its own copy
/// of the principal. Bounded: when full, expired entries go first, then everything (the next requests validate again).
/// </summary>
internal sealed class ValidatedTokens(TimeProvider time)
{
    public const int Capacity = 4_096;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public int Count => _entries.Count;

    /// <summary>The principal of <paramref name="token"/> when it was validated here and is still within its lifetime.</summary>
    public ClaimsPrincipal? Find(string token)
    {
        if (!_entries.TryGetValue(token, out var entry))
        {
            return null;
        }
        if (!WithinLifetime(entry))
        {
            _entries.TryRemove(token, out _);
            return null;
        }
        return entry.Principal.Clone();
    }

    public void Add(string token, ClaimsPrincipal principal, DateTime? notBefore, DateTime expires)
    {
        if (_entries.Count >= Capacity)
        {
            foreach (var (key, entry) in _entries)
            {
                if (!WithinLifetime(entry))
                {
                    _entries.TryRemove(key, out _);
                }
            }
            if (_entries.Count >= Capacity)
            {
                _entries.Clear();
            }
        }
        _entries[token] = new Entry(principal.Clone(), notBefore, expires);
    }

    private bool WithinLifetime(Entry entry) => BearerTokenSetup.WithinLifetime(time.GetUtcNow().UtcDateTime, entry.NotBefore, entry.Expires);

    private sealed record Entry(ClaimsPrincipal Principal, DateTime? NotBefore, DateTime Expires);
}
