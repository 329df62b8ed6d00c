namespace Newsstand.Data;

/// <summary>The stored login: the password column holds a self-describing PBKDF2 hash, never the text.</summary>
internal sealed class LoginEntity
{
    public int Id { get; set; }
    public required string Username { get; set; }
    public required string Password { get; set; }
    public int UserType { get; set; }
}
