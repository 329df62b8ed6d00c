using System.Text;

namespace Newsstand.Records;

/// <summary>
/// Usernames are case-insensitive and unique. A username is stored, shown and compared in one canonical
/// form: surrounding white space removed, Unicode NFC (so a composed and a decomposed "José" are one
/// name), lower case (invariant). "Alice ", "ALICE" and "alice" are therefore the same account, and a
/// login added as "Alice " comes back as "alice".
/// </summary>
public static class Usernames
{
    /// <summary>The canonical form of <paramref name="username"/>: how it is stored and the key it is unique under.</summary>
    public static string Canonical(string username) => username.Trim().Normalize(NormalizationForm.FormC).ToLowerInvariant();

    /// <summary>Why <paramref name="username"/> cannot be a login's username, or null when it can.</summary>
    public static string? Problem(string username)
    {
        var canonical = Canonical(username);
        return canonical.Length == 0 ? "The username must not be blank."
            : TextAttribute.Count(canonical) > Limits.Name ? $"The username must be at most {Limits.Name} characters." : null;
    }
}
