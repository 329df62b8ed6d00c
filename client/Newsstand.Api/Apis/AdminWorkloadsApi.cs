using Microsoft.AspNetCore.Http.HttpResults;
using Newsstand.Api.Access;
using Newsstand.Api.Binding;
using Newsstand.Api.Hosting;
using Newsstand.Grains;
using Newsstand.Records;
using Newsstand.Workloads;

namespace Newsstand.Api.Apis;

/// <summary>Workloads over admins: the billing sheet pipeline and the encrypted profiles (with the way back).</summary>
internal static class AdminWorkloadsApi
{
    public static RouteGroupBuilder MapAdminWorkloadsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/ch08/admin").WithTags("Workloads: admins").RequireAdmin();

        group.MapGet("/billing/all", (IGrainFactory grains, HttpContext http) =>
                TypedResults.Ok(grains.GetGrain<IAdminBillingSheetGrain>(Guid.NewGuid()).BuildAsync().DisposedWithResponse(http)))
            .WithName("ListAdminBillings")
            .Produces<AdminBillingEntry[]>(StatusCodes.Status200OK, "application/json")
            .WithSummary("Every admin with each of its billings (billing null for an admin without), built by a producer/consumer pipeline of grains and streamed.");

        group.MapGet("/login/list/enc", async (IGrainFactory grains, HttpContext http) =>
            {
                var profiles = grains.GetGrain<IEncryptedProfilesGrain>(Guid.NewGuid()).EncryptAllAsync().DisposedWithResponse(http);
                return TypedResults.Ok(new StreamedEncryptedProfiles("done", await grains.TableIndex<AdminRecord>().CountAsync(), profiles));
            })
            .WithName("EncryptAdminProfiles")
            .Produces<EncryptedProfiles>(StatusCodes.Status200OK, "application/json")
            .LimitConcurrentAnswers()
            .WithSummary("Every admin's profile (admin fields and username), encrypted with authenticated encryption; fresh ciphertexts on every call.");

        group.MapPost("/login/dec", async Task<Ok<AdminProfile>> (JsonBody<ProfileTokenBody> body, IGrainFactory grains) =>
                TypedResults.Ok(await grains.GetGrain<IProfileEncryptionGrain>(0).DecryptAsync(body.Value.Token)))
            .WithName("DecryptAdminProfile")
            .Accepts<ProfileTokenBody>("application/json")
            .ProducesValidationProblem()
            .WithSummary("Decrypts a profile token of /ch08/admin/login/list/enc; an altered or foreign token answers 400.");

        return group;
    }
}
