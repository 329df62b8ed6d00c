using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Newsstand.Tests.Processes;

/// <summary>Self-signed certificates with their private keys in PKCS#12 files, as an operator would mount them from a secret.</summary>
internal static class TestCertificates
{
    public static (string Path, X509Certificate2 Certificate) Make(string folder, string subject, string password)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var made = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var path = Path.Combine(folder, subject + ".pfx");
        File.WriteAllBytes(path, made.Export(X509ContentType.Pkcs12, password));
        return (path, X509CertificateLoader.LoadPkcs12FromFile(path, password));
    }

    public static string NewPassword() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
}
