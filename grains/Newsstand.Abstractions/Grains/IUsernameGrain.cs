using Newsstand.Records;

namespace Newsstand.Grains;

/// <summary>
/// The owner of one username (key: its <see cref="Usernames.Canonical"/> form): it keeps usernames unique across all
/// login chunks and finds the login a username belongs to.
/// </summary>
public interface IUsernameGrain : IGrainWithStringKey
{
    /// <summary>Reserves the username for login <paramref name="loginId"/>; throws
    /// <see cref="Errors.RecordConflictException"/> when another login holds or is claiming it.</summary>
    Task ClaimAsync(int loginId);

    /// <summary>Gives the username up if <paramref name="loginId"/> holds it (a failed write, or the old name after a rename).</summary>
    Task ReleaseAsync(int loginId);

    /// <summary>Forgets who holds the username, so the next call reads it from the database again: a commit of a login
    /// with this name had an unknown outcome, and only the database knows whether it holds the name now.</summary>
    Task ForgetAsync();

    /// <summary>The login with this username whose password matches, or null. An unknown username costs
    /// one full hash as well, so the answer's timing does not tell which usernames exist.</summary>
    Task<LoginView?> VerifyAsync(LoginCredentials credentials);
}
