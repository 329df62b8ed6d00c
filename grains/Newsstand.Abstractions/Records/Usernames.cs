namespace Newsstand.Records;

/// <summary>Usernames are unique; this is the form in which two usernames are compared.</summary>
public static class Usernames
{
    /// <summary>The key under which a username is unique (its owner grain's key).</summary>
    public static string Key(string username) => username;
}
