namespace Newsstand.Records;

/// <summary>
/// What a new password must be (login add and update): at least <see cref="MinLength"/> characters
/// (Unicode scalar values, as <see cref="TextAttribute"/> counts them) and at most
/// <see cref="Limits.Password"/>, not only whitespace, and not the username (ignoring case). Verify
/// applies none of it: a password that could never have been set is simply wrong there, so the policy
/// tells nothing about which accounts exist.
/// </summary>
public static class PasswordPolicy
{
    public const int MinLength = 8;

    /// <summary>Why <paramref name="password"/> may not be set for <paramref name="username"/>, or null when it may.</summary>
    public static string? Problem(string password, string username)
    {
        if (TextAttribute.Count(password) < MinLength)
        {
            return $"The password must be at least {MinLength} characters.";
        }
        if (string.IsNullOrWhiteSpace(password))
        {
            return "The password must not be only whitespace.";
        }
        return string.Equals(password, username, StringComparison.OrdinalIgnoreCase) ? "The password must differ from the username." : null;
    }
}
