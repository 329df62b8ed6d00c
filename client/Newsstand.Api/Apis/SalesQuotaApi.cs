using Microsoft.AspNetCore.Http.HttpResults;
using Newsstand.Api.Access;
using Newsstand.Errors;
using Newsstand.Grains;
using Newsstand.Workloads;

namespace Newsstand.Api.Apis;

/// <summary>The sales quota evaluation: started in the background, published on the <c>quota</c> topic.</summary>
internal static class SalesQuotaApi
{
    public static RouteGroupBuilder MapSalesQuotaApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/ch08/sales").WithTags("Workloads: sales quota").RequireAdmin();

        group.MapGet("/list/quota", async Task<Ok<MessageAnswer>> (IGrainFactory grains) =>
            {
                await grains.GetGrain<ISalesQuotaGrain>(0).StartAsync();
                return TypedResults.Ok(new MessageAnswer("Notification sent in the background"));
            })
            .WithName("StartSalesQuota")
            .WithSummary("Evaluates every sale against its quota in the background (a reactive pipeline); each evaluation is published on the notifications feed (topic quota).");
        group.MapGet("/quota/latest", async Task<Ok<QuotaRun>> (IGrainFactory grains) =>
                TypedResults.Ok(await grains.GetGrain<ISalesQuotaGrain>(0).GetLatestAsync() ?? throw new WorkloadNotFoundException("A quota evaluation run")))
            .WithName("GetLatestSalesQuota")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("The latest quota evaluation run: status, counts of met, missed and failed evaluations, and its last evaluation.");

        return group;
    }
}
