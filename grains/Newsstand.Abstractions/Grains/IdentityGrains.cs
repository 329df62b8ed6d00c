using Newsstand.Records;

namespace Newsstand.Grains;

/// <summary>
/// The cluster's token signing keys (one activation, key 0): it creates, rotates and retires ES256 keys kept in the
/// database (private halves encrypted with the cluster's Data Protection key ring) and signs access tokens.
/// </summary>
public interface ISigningKeyRingGrain : IGrainWithIntegerKey
{
    /// <summary>A signed access token for <paramref name="subject"/>, made with the key that signs now.</summary>
    Task<IssuedToken> SignAsync(TokenSubject subject);

    /// <summary>Every key a valid token may be signed with: the one that signs, the next one (published before it
    /// signs) and older ones until the tokens they signed have expired.</summary>
    Task<PublicSigningKey[]> GetPublicKeysAsync();
}

/// <summary>Sign-in (<c>POST /ch08/login/token</c>): checks a username and password and issues a token.</summary>
public interface ITokenIssuerGrain : IGrainWithIntegerKey
{
    /// <summary>A token for the login with these credentials (its role fixed now), or null when they are wrong; an
    /// unknown username costs the same as a wrong password.</summary>
    Task<IssuedToken?> IssueAsync(LoginCredentials credentials);
}
