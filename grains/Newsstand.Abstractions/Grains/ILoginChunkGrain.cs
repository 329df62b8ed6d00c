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

    /// <summary>Adds the login like <see cref="AddAsync"/>, with the answer to the caller's <c>Idempotency-Key</c> committed in
    /// the same transaction (its retention starts at the chunk's clock): a retry of an add whose outcome was unknown finds
    /// the answer stored exactly when the login is. Throws what <see cref="AddAsync"/> throws.</summary>
    Task<LoginView> AddKeyedAsync(NewLogin login, Idempotency.IdempotencyRecord answer);

    /// <summary>Changes the login like <see cref="UpdateAsync"/>, with the answer to the caller's <c>Idempotency-Key</c>
    /// committed in the same transaction. Throws what <see cref="UpdateAsync"/> throws.</summary>
    Task<LoginView> UpdateKeyedAsync(NewLogin login, Idempotency.IdempotencyRecord answer);

    /// <summary>The login <paramref name="id"/> if its password matches, else null; the comparison runs in constant time.</summary>
    Task<LoginView?> VerifyAsync(int id, LoginCredentials credentials);
}
