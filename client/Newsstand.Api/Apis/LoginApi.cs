using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Newsstand.Api.Access;
using Newsstand.Api.Binding;
using Newsstand.Api.Errors;
using Newsstand.Api.Hosting;
using Newsstand.Api.Idempotency;
using Newsstand.Grains;
using Newsstand.Idempotency;
using Newsstand.Records;
using Newsstand.Workloads;

namespace Newsstand.Api.Apis;

/// <summary>Logins: passwords go in, only hashes are stored, and no answer ever carries either.</summary>
internal static class LoginApi
{
    public static RouteGroupBuilder MapLoginApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/ch08/login").WithTags("Logins");
        // Add, update and verify hash a password on the silo's hashing lane, which sheds with 503 + Retry-After when full.
        group.MapPost("/add", AddAsync)
            .AllowAnonymous()
            .WithName("AddLogin")
            .RequireAbuseLimits<NewLogin>(limits => limits.Add, login => login.Username)
            .Accepts<NewLogin>("application/json")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Adds a login; the password is stored as a PBKDF2 hash.");
        group.MapPatch("/update", UpdateAsync)
            .RequireSignedIn()
            .WithName("UpdateLogin")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .Accepts<NewLogin>("application/json")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Replaces username, user type and password of login `id`: an admin any login; a signed-in user only its own, "
                + "with its present password as current_password and its user_type unchanged.");
        group.MapPost("/verify", VerifyAsync)
            .AllowAnonymous()
            .WithName("VerifyLogin")
            .RequireAbuseLimits<LoginCredentials>(limits => limits.Verify, credentials => credentials.Username)
            .Accepts<LoginCredentials>("application/json")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .WithSummary("Checks a username and password.");
        group.MapPost("/token", TokenAsync)
            .AllowAnonymous()
            .WithName("SignIn")
            .RequireAbuseLimits<TokenForm>(limits => limits.Verify, form => form.Credentials.Username)
            .Accepts<TokenFormFields>("application/x-www-form-urlencoded")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .WithSummary("Signs in (OAuth2 password grant): a bearer token for the login, valid expires_in seconds; shares login/verify's abuse limits.");
        group.MapList<LoginView>("/list/all", "ListLogins", "HeadLogins", "Logins ordered by id, without passwords or hashes; ETag and If-None-Match (304).")
            .RequireAdmin();
        group.MapGet("/list/records", async (IGrainFactory grains, HttpContext http) =>
            {
                // The count (the login table's index) is asked while the user list's grain starts its scan.
                var users = grains.GetGrain<ILoginRecordsGrain>(Guid.NewGuid()).UsersAsync().DisposedWithResponse(http);
                return TypedResults.Ok(new StreamedLoginRecords(await grains.TableIndex<LoginView>().CountAsync(), users));
            })
            .RequireAdmin()
            .WithName("GatherLoginRecords")
            .Produces<LoginRecords>(StatusCodes.Status200OK, "application/json")
            .LimitConcurrentAnswers()
            .WithTags("Workloads: gathers")
            .WithSummary("The login count and the user list (\"<id> <username> <user_type>\"), the list streamed from a scan of the login table; never a password or hash.");

        return group;
    }

    private static async Task<Ok<LoginView>> AddAsync(JsonBody<NewLogin> body, HttpContext context, IGrainFactory grains, IOptions<JsonOptions> json)
    {
        var owner = grains.LoginOwner(body.Value.Id);
        return TypedResults.Ok(context.Features.Get<IdempotencyFeature>() is { } keyed
            ? await KeyedAsync(body.Value, keyed, json.Value.SerializerOptions, owner.AddKeyedAsync)
            : await owner.AddAsync(body.Value));
    }

    private static async Task<Results<Ok<LoginView>, ProblemHttpResult>> UpdateAsync(IdQuery query, JsonBody<NewLogin> body, HttpContext context, IGrainFactory grains,
        IOptions<JsonOptions> json)
    {
        if (body.Value.Id != query.Id)
        {
            throw RequestValidationException.For("id", $"The body's id ({body.Value.Id}) differs from the id parameter ({query.Id}).");
        }
        if (await LoginUpdateAccess.RefusalAsync(context, body.Value, grains) is { } refused)
        {
            return refused;
        }
        var owner = grains.LoginOwner(query.Id);
        var change = body.Value with { CurrentPassword = null };
        return TypedResults.Ok(context.Features.Get<IdempotencyFeature>() is { } keyed
            ? await KeyedAsync(change, keyed, json.Value.SerializerOptions, owner.UpdateKeyedAsync)
            : await owner.UpdateAsync(change));
    }

    /// <summary>A keyed add or update: its answer (the login as it will be stored, as this route writes it) is committed with
    /// the row itself, so a retry after an unknown outcome finds it exactly when the write took effect.</summary>
    private static async Task<LoginView> KeyedAsync(NewLogin login, IdempotencyFeature keyed, JsonSerializerOptions json,
        Func<NewLogin, IdempotencyRecord, Task<LoginView>> write)
    {
        var stored = await write(login, keyed.OkAnswer(new LoginView(login.Id, Usernames.Canonical(login.Username), login.UserType), json));
        keyed.StoredWithEffect = true;
        return stored;
    }

    private static async Task<Results<Ok<TokenAnswer>, ProblemHttpResult>> TokenAsync(TokenForm form, IGrainFactory grains, HttpContext context)
    {
        // A token is a credential: no cache may keep it (RFC 6749 §5.1).
        context.Response.Headers.CacheControl = "no-store";
        return await grains.GetGrain<ITokenIssuerGrain>(0).IssueAsync(form.Credentials) is { } token
            ? TypedResults.Ok(new TokenAnswer(token.AccessToken, "bearer", token.ExpiresIn))
            : TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, detail: "The username or password is wrong.");
    }

    /// <summary>The token answer of RFC 6749 §5.1.</summary>
    internal sealed record TokenAnswer(string AccessToken, string TokenType, int ExpiresIn);

    /// <summary>The token form's fields, for the OpenAPI document.</summary>
    internal sealed record TokenFormFields(string Username, string Password, string? GrantType);

    private static async Task<Results<Ok<LoginView>, ProblemHttpResult>> VerifyAsync(JsonBody<LoginCredentials> body, IGrainFactory grains) =>
        await grains.Username(body.Value.Username).VerifyAsync(body.Value) is { } login
            ? TypedResults.Ok(login)
            : TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, detail: "The username or password is wrong.");
}
