using Newsstand.Records;

namespace Newsstand.Grains;

/// <summary>
/// The owner of one chunk of the <c>login</c> table. Passwords arrive in plain text and leave only as
/// hashes in the database; hashing runs on the silo's bounded hashing lane, never on a grain turn.
/// Usernames are unique across chunks through <see cref="IUsernameGrain"/>.
/// </summary>
public interface ILoginChunkGrain : ITableChunkGrain<LoginView>
{
    /// <summary>Hashes the password and inserts the login; answers once committed. Throws
    /// <see cref="Errors.RecordConflictException"/> for a taken id or username and
    /// <see cref="Errors.OverloadedException"/> when the hashing lane is full.</summary>
    Task<LoginView> AddAsync(NewLogin login);

    /// <summary>Replaces username, user type and password (re-hashed) of an existing login.</summary>
    Task<LoginView> UpdateAsync(NewLogin login);

    /// <summary>The login <paramref name="id"/> if its password matches, else null; the comparison runs in constant time.</summary>
    Task<LoginView?> VerifyAsync(int id, LoginCredentials credentials);
}
