using System.ComponentModel.DataAnnotations;
using System.ComponentModel.DataAnnotations.Schema;

namespace Newsstand.Records;

/// <summary>A login as the API shows it: never a password or a hash.</summary>
[GenerateSerializer, Immutable, Alias("Newsstand.LoginView"), Table("login")]
public sealed record LoginView(
    [property: Id(0)] int Id,
    [property: Id(1)] string Username,
    [property: Id(2)] int UserType) : ITableRecord;

/// <summary>
/// A login body for add and update: carries the plain password to the silo, which only stores its hash.
/// The password must meet the <see cref="PasswordPolicy"/>; the username is stored in its
/// <see cref="Usernames.Canonical"/> form.
/// </summary>
[GenerateSerializer, Immutable, Alias("Newsstand.NewLogin")]
public sealed record NewLogin(
    [property: Id(0), Range(Limits.MinId, int.MaxValue)] int Id,
    [property: Id(1), Required, Text(Limits.Name)] string Username,
    // Empty and blank passwords are the policy's to refuse, with its own message.
    [property: Id(2), Required(AllowEmptyStrings = true), Text(Limits.Password)] string Password,
    [property: Id(3)] int UserType) : ITableRecord, IValidatableObject
{
    /// <summary>The login's present password: <c>PATCH /ch08/login/update</c> by the login itself needs it (an admin does not).
    /// Never sent on to a grain.</summary>
    [Id(4), Text(Limits.Password)]
    public string? CurrentPassword { get; init; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Usernames.Problem(Username) is { } username)
        {
            yield return new ValidationResult(username, [nameof(Username)]);
        }
        if (PasswordPolicy.Problem(Password, Username) is { } problem)
        {
            yield return new ValidationResult(problem, [nameof(Password)]);
        }
    }

    /// <summary>Keeps the password out of any log line or exception text that formats this record.</summary>
    public override string ToString() => $"NewLogin {{ Id = {Id}, Username = {Username}, UserType = {UserType} }}";
}

/// <summary>The body of <c>POST /ch08/login/verify</c>.</summary>
[GenerateSerializer, Immutable, Alias("Newsstand.LoginCredentials")]
public sealed record LoginCredentials(
    [property: Id(0), Required, Text(Limits.Name)] string Username,
    [property: Id(1), Required, Text(Limits.Password)] string Password)
{
    public override string ToString() => $"LoginCredentials {{ Username = {Username} }}";
}
