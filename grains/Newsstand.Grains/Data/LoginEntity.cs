using System.ComponentModel.DataAnnotations;
using System.ComponentModel.DataAnnotations.Schema;
using Microsoft.EntityFrameworkCore;
using Newsstand.Records;

namespace Newsstand.Data;

/// <summary>The stored login: the password column holds a self-describing PBKDF2 hash, never the text.</summary>
[Table("login"), Index(nameof(Username), IsUnique = true)]
internal sealed record LoginEntity(
    int Id,
    [property: MaxLength(Limits.Name)] string Username,
    [property: MaxLength(200)] string Password,
    int UserType) : ITableRecord
{
    public LoginView View => new(Id, Username, UserType);

    /// <summary>Keeps the hash out of any log line or exception text that formats this row.</summary>
    public override string ToString() => $"LoginEntity {{ Id = {Id}, Username = {Username}, UserType = {UserType} }}";
}
