using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Newsstand.Errors;

namespace Newsstand.Workloads;

/// <summary>
/// Authenticated encryption of admin profiles with ASP.NET Core Data Protection (AES-256-CBC with HMAC-SHA256,
/// a fresh IV per call, keys from the key ring in the database): the same profile encrypts differently every
/// time, and a token that was altered or made with another key ring is refused. Data Protection loads and
/// refreshes its key ring synchronously, so the work runs on the thread pool, never on a grain turn.
/// </summary>
internal sealed class ProfileProtector(IDataProtectionProvider provider)
{
    /// <summary>The purpose isolates these tokens from anything else protected with the same key ring.</summary>
    public const string Purpose = "Newsstand.AdminProfiles.v1";

    private readonly IDataProtector _protector = provider.CreateProtector(Purpose);

    /// <summary>The profile condensed to one string (compact JSON, the API's field names).</summary>
    public static string Condense(AdminProfile profile) => JsonSerializer.Serialize(profile, NewsstandJson.Options);

    /// <summary>A token per profile, in order.</summary>
    public Task<string[]> ProtectAsync(IReadOnlyList<AdminProfile> profiles) =>
        Task.Run(() => profiles.Select(profile => Convert.ToBase64String(_protector.Protect(Encoding.UTF8.GetBytes(Condense(profile))))).ToArray());

    public Task<AdminProfile> UnprotectAsync(string token) => Task.Run(() => Unprotect(token));

    /// <summary>Loads the key ring (creating its first key on a new database) before the first request needs it.</summary>
    public Task WarmAsync() => Task.Run(() => _protector.Protect([]));

    private AdminProfile Unprotect(string token)
    {
        var bytes = new byte[token.Length];
        if (!Convert.TryFromBase64String(token, bytes, out var length))
        {
            throw new InvalidTokenException("The token is not base64.");
        }
        byte[] plain;
        try
        {
            plain = _protector.Unprotect(bytes.AsSpan(0, length).ToArray());
        }
        catch (CryptographicException)
        {
            throw new InvalidTokenException("The token was altered or was not made with this cluster's key ring.");
        }
        return JsonSerializer.Deserialize<AdminProfile>(plain, NewsstandJson.Options)
            ?? throw new InvalidTokenException("The token holds no profile.");
    }
}
