using Microsoft.AspNetCore.Http.HttpResults;
using Newsstand.Api.Binding;
using Newsstand.Api.Errors;
using Newsstand.Api.Hosting;
using Newsstand.Grains;
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
            .RequireAbuseLimits<NewLogin>(limits => limits.Add, login => login.Username)
            .Accepts<NewLogin>("application/json")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Adds a login; the password is stored as a PBKDF2 hash.");
        group.MapPatch("/update", UpdateAsync)
            .Accepts<NewLogin>("application/json")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Replaces username, user type and password of login `id`.");
        group.MapPost("/verify", VerifyAsync)
            .RequireAbuseLimits<LoginCredentials>(limits => limits.Verify, credentials => credentials.Username)
            .Accepts<LoginCredentials>("application/json")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .WithSummary("Checks a username and password.");
        group.MapList<LoginView>("/list/all")
            .WithSummary("Logins ordered by id, without passwords or hashes.");
        group.MapGet("/list/records", async (IGrainFactory grains) =>
            {
                // The count (the login table's index) is asked while the user list's grain starts its scan.
                var users = grains.GetGrain<ILoginRecordsGrain>(Guid.NewGuid()).UsersAsync();
                return TypedResults.Ok(new StreamedLoginRecords(await grains.TableIndex<LoginView>().CountAsync(), users));
            })
            .Produces<LoginRecords>(StatusCodes.Status200OK, "application/json")
            .LimitConcurrentAnswers()
            .WithTags("Workloads: gathers")
            .WithSummary("The login count and the user list (\"<id> <username> <user_type>\"), the list streamed from a scan of the login table; never a password or hash.");

        return group;
    }

    private static async Task<Ok<LoginView>> AddAsync(JsonBody<NewLogin> body, IGrainFactory grains) =>
        TypedResults.Ok(await grains.LoginOwner(body.Value.Id).AddAsync(body.Value));

    private static async Task<Ok<LoginView>> UpdateAsync(IdQuery query, JsonBody<NewLogin> body, IGrainFactory grains)
    {
        if (body.Value.Id != query.Id)
        {
            throw RequestValidationException.For("id", $"The body's id ({body.Value.Id}) differs from the id parameter ({query.Id}).");
        }
        return TypedResults.Ok(await grains.LoginOwner(query.Id).UpdateAsync(body.Value));
    }

    private static async Task<Results<Ok<LoginView>, ProblemHttpResult>> VerifyAsync(JsonBody<LoginCredentials> body, IGrainFactory grains) =>
        await grains.Username(body.Value.Username).VerifyAsync(body.Value) is { } login
            ? TypedResults.Ok(login)
            : TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, detail: "The username or password is wrong.");
}
