namespace Newsstand.Silo.Hosting;

/// <summary>
/// TLS for silo-to-silo and client-to-gateway connections (section <c>Orleans:Tls</c>), off unless a
/// certificate is configured. Every silo and client of a cluster uses the same certificate, and each side
/// requires the other to present it (or a certificate the machine's trust store accepts).
/// </summary>
public sealed class ClusterTlsOptions
{
    public const string SectionName = "Orleans:Tls";

    /// <summary>A PKCS#12 (<c>.pfx</c>) file with the cluster certificate and its private key; unset, connections are plain TCP.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The file's password: from the environment or a mounted secret, never the repository.</summary>
    public string? CertificatePassword { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(CertificatePath);
}
