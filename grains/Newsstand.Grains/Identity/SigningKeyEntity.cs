namespace Newsstand.Data;

/// <summary>
/// One token signing key (table <c>signing_key</c>): an ES256 (P-256) key pair whose private half is stored only
/// encrypted by Data Protection (<see cref="Identity.SigningKeyProtector"/>). It signs from <see cref="ActivatesAt"/>
/// until the next key activates; it is published to the web clients from its creation.
/// </summary>
internal sealed class SigningKeyEntity
{
    /// <summary>The key id, the tokens' <c>kid</c>.</summary>
    public required string Id { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ActivatesAt { get; set; }

    /// <summary>SubjectPublicKeyInfo (DER).</summary>
    public required byte[] PublicKey { get; set; }

    /// <summary>The PKCS#8 private key, protected with Data Protection.</summary>
    public required byte[] ProtectedPrivateKey { get; set; }
}
