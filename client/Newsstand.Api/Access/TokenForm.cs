using Newsstand.Api.Errors;
using Newsstand.Records;

namespace Newsstand.Api.Access;

/// <summary>
/// The OAuth2 password grant's form (<c>application/x-www-form-urlencoded</c>): <c>username</c>, <c>password</c> and an
/// optional <c>grant_type</c>, which must then be <c>password</c>. Bad input answers 400 naming the field (415 for
/// another media type); nothing reaches a grain unless all of it passes.
/// </summary>
internal sealed class TokenForm(LoginCredentials credentials)
{
    public LoginCredentials Credentials { get; } = credentials;

    public static async ValueTask<TokenForm?> BindAsync(HttpContext context)
    {
        if (!context.Request.HasFormContentType || context.Request.ContentType?.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase) == true)
        {
            throw RequestValidationException.For("body", "Send the form as application/x-www-form-urlencoded (username, password, grant_type=password).",
                StatusCodes.Status415UnsupportedMediaType);
        }
        IFormCollection form;
        try
        {
            form = await context.Request.ReadFormAsync(context.RequestAborted);
        }
        catch (InvalidDataException error)
        {
            // The form reader's own limits (a key over 2,048 characters, too many fields): bad input, not a fault.
            throw RequestValidationException.For("body", $"The form could not be read: {error.Message}");
        }
        var errors = new Dictionary<string, string[]>();
        var username = Field(form, "username", Limits.Name, errors);
        var password = Field(form, "password", Limits.Password, errors);
        if (form.TryGetValue("grant_type", out var grant) && grant.ToString() != "password")
        {
            errors["grant_type"] = ["Only the password grant is supported (grant_type=password)."];
        }
        return errors.Count > 0 ? throw new RequestValidationException(errors) : new TokenForm(new LoginCredentials(username!, password!));
    }

    private static string? Field(IFormCollection form, string name, int maxLength, Dictionary<string, string[]> errors)
    {
        if (!form.TryGetValue(name, out var values) || values.Count != 1 || string.IsNullOrEmpty(values[0]))
        {
            errors[name] = ["The field is required, once."];
            return null;
        }
        var value = values[0]!;
        if (value.Length > maxLength)
        {
            errors[name] = [$"The field must be at most {maxLength} characters."];
            return null;
        }
        return value;
    }
}
