using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Newsstand.Hosting;

/// <summary>Certificates the hosts read from files an operator mounts (PKCS#12 with the private key, password from a secret).</summary>
public static class CertificateFiles
{
    /// <summary>
    /// The certificate and its private key in <paramref name="path"/>; a file that cannot be read, a wrong password
    /// or a missing private key stops the start with a message naming <paramref name="key"/> and the file, never the password.
    /// </summary>
    public static X509Certificate2 LoadWithPrivateKey(string path, string? password, string key)
    {
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            // A wrong password reads as a failed decryption.
            throw new StartupCheckException($"{key}: cannot read the certificate {path} ({e.GetType().Name}: {e.Message}).");
        }
        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new StartupCheckException($"{key}: the certificate in {path} has no private key.");
        }
        return certificate;
    }
}
