using Newsstand.Workloads;

namespace Newsstand.Grains;

/// <summary>The way back from an encrypted admin profile, for whoever holds the key.</summary>
public interface IProfileEncryptionGrain : IGrainWithIntegerKey
{
    /// <summary>The profile inside <paramref name="token"/>; throws <see cref="Errors.InvalidTokenException"/> for a
    /// malformed or tampered token, or one made with a key this cluster does not hold.</summary>
    Task<AdminProfile> DecryptAsync(string token);
}

/// <summary>The encrypted admin profiles of <c>GET /ch08/admin/login/list/enc</c> (key: one answer), streamed while it is read.</summary>
public interface IEncryptedProfilesGrain : IGrainWithGuidKey
{
    /// <summary>For every admin in id order, a batch of admins at a time and concurrently within a batch: extracts its
    /// profile (admin fields and username), condenses it to one string and encrypts it with authenticated encryption.
    /// Every call gives fresh ciphertexts.</summary>
    IAsyncEnumerable<EncryptedProfile> EncryptAllAsync();
}
