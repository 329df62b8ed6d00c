namespace Newsstand.Workloads;

/// <summary>Where the profile tokens' key ring lives (section <c>ProfileEncryption</c>).</summary>
public sealed class ProfileEncryptionOptions
{
    public const string SectionName = "ProfileEncryption";

    /// <summary>
    /// Folder of the ASP.NET Core Data Protection key ring; default <c>keys</c> under the data directory. Every silo
    /// of a cluster must see the same key ring (a shared volume or a mounted secret): a token made on one silo is
    /// decrypted on any other. Whoever can read this folder can decrypt the tokens.
    /// </summary>
    public string? KeyDirectory { get; set; }
}
