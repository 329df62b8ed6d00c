namespace Newsstand.Data;

/// <summary>One key of the profile tokens' key ring: Data Protection's XML for it, as <see cref="DatabaseKeyRing"/> stores it.</summary>
internal sealed class ProfileKeyEntity
{
    public int Id { get; set; }

    public string? FriendlyName { get; set; }

    public required string Xml { get; set; }
}
