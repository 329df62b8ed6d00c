using Microsoft.AspNetCore.DataProtection;
using Newsstand.Hosting;

namespace Newsstand.Silo.Hosting;

/// <summary>
/// Encryption at rest of the profile key ring (section <c>ProfileKeys</c>). The key ring lives in the database;
/// with a certificate configured every key is stored encrypted with it (Data Protection's certificate XML
/// encryptor), so the database alone no longer decrypts profile tokens. Every silo of a cluster needs the same
/// certificate. Unset, keys are stored as they are and the database must be protected instead.
/// </summary>
public sealed class ProfileKeyOptions
{
    public const string SectionName = "ProfileKeys";

    /// <summary>A PKCS#12 (<c>.pfx</c>) file with a certificate and its private key (RSA).</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The file's password: from the environment or a mounted secret, never the repository.</summary>
    public string? CertificatePassword { get; set; }
}

internal static class ProfileKeyProtection
{
    /// <summary>Encrypts the key ring with the configured certificate; an unreadable file stops the start naming the key.</summary>
    public static WebApplicationBuilder AddProfileKeyProtection(this WebApplicationBuilder builder)
    {
        var options = Settings.Read<ProfileKeyOptions>(builder.Configuration, ProfileKeyOptions.SectionName);
        if (string.IsNullOrWhiteSpace(options.CertificatePath))
        {
            return builder;
        }
        var certificate = CertificateFiles.LoadWithPrivateKey(options.CertificatePath, options.CertificatePassword,
            $"{ProfileKeyOptions.SectionName}:{nameof(ProfileKeyOptions.CertificatePath)}");
        // Keys written before the certificate was configured stay readable (they are plain); keys written with it
        // are decrypted with the same certificate, held in memory (no machine certificate store is needed).
        builder.Services.AddDataProtection().ProtectKeysWithCertificate(certificate).UnprotectKeysWithAnyCertificate(certificate);
        return builder;
    }
}
