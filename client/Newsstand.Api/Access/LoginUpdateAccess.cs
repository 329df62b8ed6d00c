using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Newsstand.Api.Errors;
using Newsstand.Grains;
using Newsstand.Records;

namespace Newsstand.Api.Access;

/// <summary>
/// Who may change a login (<c>PATCH /ch08/login/update</c>): an admin any login; a user only its own, proving it with
/// its present password (<c>current_password</c>: missing → 400, wrong → 403) and keeping its <c>user_type</c> (a
/// change → 403). In Open mode anyone, as in the original.
/// </summary>
internal static class LoginUpdateAccess
{
    /// <summary>Null when the caller may make this change; otherwise the 403 to answer (or a 400 thrown).</summary>
    public static async Task<ProblemHttpResult?> RefusalAsync(HttpContext context, NewLogin change, IGrainFactory grains)
    {
        if (context.RequestServices.GetRequiredService<IOptions<AccessOptions>>().Value.Mode == AccessMode.Open
            || context.User.IsInRole(AccessTokens.AdminRole))
        {
            return null;
        }
        if (context.User.FindFirstValue(AccessTokens.SubjectClaim) != change.Id.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            return Forbidden("A user may change only its own login.");
        }
        if (string.IsNullOrEmpty(change.CurrentPassword))
        {
            throw RequestValidationException.For("current_password", "Changing your own login needs your present password as current_password.");
        }
        var owner = grains.LoginOwner(change.Id);
        if ((await owner.FindAsync([change.Id])).FirstOrDefault() is not { } current)
        {
            return null; // The owner answers 404 for a login that does not exist.
        }
        if (await owner.VerifyAsync(change.Id, new LoginCredentials(current.Username, change.CurrentPassword)) is null)
        {
            return Forbidden("current_password is not this login's present password.");
        }
        return change.UserType != current.UserType ? Forbidden("A user may not change its own user_type.") : null;
    }

    private static ProblemHttpResult Forbidden(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, detail: detail);
}
