using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Newsstand.Tests.Processes;

/// <summary>
/// Certificates with their private keys in PKCS#12 files, as an operator would mount them from a secret:
/// self-signed ones, a private CA (its certificate alone in a PEM file) and certificates it issues.
/// </summary>
internal static class TestCertificates
{
    public static (string Path, X509Certificate2 Certificate) Make(string folder, string subject, string password)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var made = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return Save(folder, subject, password, made);
    }

    /// <summary>A CA certificate with its key (to issue with), its certificate alone written to <c>{subject}.pem</c>.</summary>
    public static (string PemPath, X509Certificate2 Authority) MakeAuthority(string folder, string subject)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        // Valid from well before now, so certificates it issued in the past (expired ones) can be made.
        var authority = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-10), DateTimeOffset.UtcNow.AddDays(2));
        return (WritePem(folder, subject, authority), authority);
    }

    /// <summary>A certificate <paramref name="authority"/> issues, valid from <paramref name="notBefore"/> to <paramref name="notAfter"/> (default: now, for a day).</summary>
    public static (string Path, X509Certificate2 Certificate) Issue(X509Certificate2 authority, string folder, string subject, string password,
        DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, critical: true));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        using var issued = request.Create(authority, notBefore ?? DateTimeOffset.UtcNow.AddMinutes(-5), notAfter ?? DateTimeOffset.UtcNow.AddDays(1), RandomNumberGenerator.GetBytes(12));
        using var withKey = issued.CopyWithPrivateKey(key);
        return Save(folder, subject, password, withKey);
    }

    /// <summary>The certificate alone (no key) as <c>{name}.pem</c>, e.g. for a trust store.</summary>
    public static string WritePem(string folder, string name, X509Certificate2 certificate)
    {
        var path = Path.Combine(folder, name + ".pem");
        File.WriteAllText(path, certificate.ExportCertificatePem());
        return path;
    }

    public static string NewPassword() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));

    private static (string Path, X509Certificate2 Certificate) Save(string folder, string subject, string password, X509Certificate2 made)
    {
        var path = Path.Combine(folder, subject + ".pfx");
        File.WriteAllBytes(path, made.Export(X509ContentType.Pkcs12, password));
        return (path, X509CertificateLoader.LoadPkcs12FromFile(path, password));
    }
}
