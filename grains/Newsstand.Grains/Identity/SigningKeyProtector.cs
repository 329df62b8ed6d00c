using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace Newsstand.Identity;

/// <summary>
/// Encrypts signing keys' private halves with the cluster's Data Protection key ring (kept in the database, and
/// encrypted at rest with a certificate when <c>ProfileKeys:CertificatePath</c> is set). Data Protection may read
/// its key ring synchronously, so the work runs on the thread pool, never on a grain turn.
/// </summary>
internal sealed class SigningKeyProtector(IDataProtectionProvider provider)
{
    /// <summary>Isolates these blobs from anything else protected with the same key ring.</summary>
    public const string Purpose = "Newsstand.TokenSigningKeys.v1";

    private readonly IDataProtector _protector = provider.CreateProtector(Purpose);

    public Task<byte[]> ProtectAsync(byte[] privateKey) => Task.Run(() => _protector.Protect(privateKey));

    /// <summary>The P-256 key from its protected PKCS#8 form.</summary>
    public Task<ECDsa> UnprotectAsync(byte[] protectedKey) => Task.Run(() =>
    {
        var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(_protector.Unprotect(protectedKey), out _);
        return key;
    });
}
