namespace Newsstand.Client.Hosting;

/// <summary>
/// TLS to the silos' gateways (section <c>Orleans:Tls</c>), off unless a certificate is configured: the
/// cluster certificate the silos use (they require clients to present it), see the silo's ClusterTlsOptions.
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
