namespace Newsstand.Workloads;

/// <summary>An admin's profile: its fields and its login's username, the plain text inside a profile token.</summary>
[GenerateSerializer, Immutable, Alias("Newsstand.AdminProfile")]
public sealed record AdminProfile(
    [property: Id(0)] int AdminId,
    [property: Id(1)] string Firstname,
    [property: Id(2)] string Lastname,
    [property: Id(3)] int Age,
    [property: Id(4)] DateOnly DateStarted,
    [property: Id(5)] int Status,
    [property: Id(6)] DateOnly Birthday,
    [property: Id(7)] int LoginId,
    [property: Id(8)] string? Username);

/// <summary>One admin's encrypted profile: authenticated ciphertext, base64.</summary>
[GenerateSerializer, Immutable, Alias("Newsstand.EncryptedProfile")]
public sealed record EncryptedProfile([property: Id(0)] int AdminId, [property: Id(1)] string Token)
{
    /// <summary>What <see cref="object.ToString"/> shows, without the token: a streamed profile crosses the cluster on its own,
    /// and Orleans' message tracing prints what it carries.</summary>
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("AdminId = ").Append(AdminId.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(", Token = (not shown)");
        return true;
    }
}

/// <summary>The answer of <c>GET /ch08/admin/login/list/enc</c>.</summary>
[GenerateSerializer, Immutable, Alias("Newsstand.EncryptedProfiles")]
public sealed record EncryptedProfiles(
    [property: Id(0)] string Message,
    [property: Id(1)] int Count,
    [property: Id(2)] IReadOnlyList<EncryptedProfile> Profiles);
