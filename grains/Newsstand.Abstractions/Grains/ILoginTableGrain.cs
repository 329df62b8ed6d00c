using Orleans.Concurrency;
using Newsstand.Records;

namespace Newsstand.Grains;

/// <summary>
/// Owner of the <c>login</c> table. Passwords arrive in plain text and leave only as hashes in the
/// database; hashing runs on the silo's bounded hashing lane, never on a grain turn.
/// </summary>
public interface ILoginTableGrain : IRowLookupGrain
{
    /// <summary>Hashes the password and inserts the login; answers once committed. Throws
    /// <see cref="Errors.RecordConflictException"/> for a taken id or username and
    /// <see cref="Errors.OverloadedException"/> when the hashing lane is full.</summary>
    Task<LoginView> AddAsync(NewLogin login);

    /// <summary>Replaces username, user type and password (re-hashed) of an existing login.</summary>
    Task<LoginView> UpdateAsync(NewLogin login);

    /// <summary>The login whose username and password match, or null; the comparison runs in constant time.</summary>
    Task<LoginView?> VerifyAsync(LoginCredentials credentials);

    /// <summary>Logins of <paramref name="page"/> ordered by id as the API's JSON array (no hashes).</summary>
    [ReadOnly]
    Task<byte[]> ListJsonAsync(Page page);

    /// <summary>Every login, ordered by id (no hashes).</summary>
    [ReadOnly]
    Task<LoginView[]> ListAsync();
}
