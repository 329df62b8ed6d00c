namespace Newsstand.Records;

/// <summary>What an access token says about its caller: the login id (<c>sub</c>), its username and its role.</summary>
[GenerateSerializer, Immutable, Alias("Newsstand.TokenSubject")]
public sealed record TokenSubject([property: Id(0)] int LoginId, [property: Id(1)] string Username, [property: Id(2)] string Role);

/// <summary>A signed access token (a compact JWT) and how many seconds it is valid.</summary>
[GenerateSerializer, Immutable, Alias("Newsstand.IssuedToken")]
public sealed record IssuedToken([property: Id(0)] string AccessToken, [property: Id(1)] int ExpiresIn)
{
    /// <summary>Keeps the token out of any log line that formats this record.</summary>
    public override string ToString() => $"IssuedToken {{ ExpiresIn = {ExpiresIn} }}";
}

/// <summary>The public half of a signing key: its key id (the tokens' <c>kid</c>) and its P-256 SubjectPublicKeyInfo.</summary>
[GenerateSerializer, Immutable, Alias("Newsstand.PublicSigningKey")]
public sealed record PublicSigningKey([property: Id(0)] string KeyId, [property: Id(1)] byte[] SubjectPublicKeyInfo);

/// <summary>The names tokens use: issuer, audience, claim types and roles.</summary>
public static class AccessTokens
{
    public const string Issuer = "nsms";
    public const string Audience = "nsms-api";
    public const string Algorithm = "ES256";
    public const string SubjectClaim = "sub";
    public const string NameClaim = "name";
    public const string RoleClaim = "role";
    public const string AdminRole = "admin";
    public const string UserRole = "user";
}
