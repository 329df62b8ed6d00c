using Newsstand.Workloads;

namespace Newsstand.Grains;

/// <summary>Encrypted admin profiles: <c>GET /ch08/admin/login/list/enc</c> and the way back for whoever holds the key.</summary>
public interface IProfileEncryptionGrain : IGrainWithIntegerKey
{
    /// <summary>For every admin, concurrently: extracts its profile (admin fields and username), condenses it to one
    /// string and encrypts it with authenticated encryption. Every call gives fresh ciphertexts.</summary>
    Task<EncryptedProfiles> EncryptAllAsync();

    /// <summary>The profile inside <paramref name="token"/>; throws <see cref="Errors.InvalidTokenException"/> for a
    /// malformed or tampered token, or one made with a key this cluster does not hold.</summary>
    Task<AdminProfile> DecryptAsync(string token);
}
