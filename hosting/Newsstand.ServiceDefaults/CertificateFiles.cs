using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Newsstand.Hosting;

/// <summary>Certificates the hosts read from files an operator mounts (PKCS#12 with the private key, password from a secret; CA certificates).</summary>
public static class CertificateFiles
{
    /// <summary>
    /// The certificate and its private key in <paramref name="path"/>; a file that cannot be read, a wrong password
    /// or a missing private key stops the start with a message naming <paramref name="key"/> and the file, never the password.
    /// </summary>
    public static X509Certificate2 LoadWithPrivateKey(string path, string? password, string key)
    {
        // A wrong password reads as a failed decryption.
        var certificate = Read(path, key, () => X509CertificateLoader.LoadPkcs12FromFile(path, password));
        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new StartupCheckException($"{key}: the certificate in {path} has no private key.");
        }
        return certificate;
    }

    /// <summary>
    /// A CA certificate (PEM or DER, no private key needed) in <paramref name="path"/>; a file that cannot be read, or
    /// a certificate that is not a CA's, stops the start with a message naming <paramref name="key"/> and the file.
    /// </summary>
    public static X509Certificate2 LoadAuthority(string path, string key)
    {
        var certificate = Read(path, key, () => X509CertificateLoader.LoadCertificateFromFile(path));
        if (certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is not { CertificateAuthority: true })
        {
            certificate.Dispose();
            throw new StartupCheckException($"{key}: the certificate in {path} is not a CA certificate (its basic constraints do not say CA).");
        }
        return certificate;
    }

    private static X509Certificate2 Read(string path, string key, Func<X509Certificate2> load)
    {
        try
        {
            return load();
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new StartupCheckException($"{key}: cannot read the certificate {path} ({e.GetType().Name}: {e.Message}).");
        }
    }
}
