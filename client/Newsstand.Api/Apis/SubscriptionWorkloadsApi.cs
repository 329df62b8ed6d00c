using Microsoft.AspNetCore.Http.HttpResults;
using Newsstand.Api.Access;
using Newsstand.Api.Binding;
using Newsstand.Api.Hosting;
using Newsstand.Grains;
using Newsstand.Workloads;

namespace Newsstand.Api.Apis;

/// <summary>Workloads over subscriptions: the dated reactive filter and the periodic total monitor.</summary>
internal static class SubscriptionWorkloadsApi
{
    public static RouteGroupBuilder MapSubscriptionWorkloadsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/ch08/subscription").WithTags("Workloads: subscriptions");

        group.MapPost("/dated", (DateRangeQuery range, IGrainFactory grains, HttpContext http) =>
                TypedResults.Ok(grains.GetGrain<ISubscriptionDatedGrain>(Guid.NewGuid()).FilterAsync(range.MinDate, range.MaxDate).DisposedWithResponse(http)))
            .RequireSignedIn()
            .WithName("ListDatedSubscriptions")
            .Produces<string[]>(StatusCodes.Status200OK, "application/json")
            .LimitConcurrentAnswers()
            .ProducesValidationProblem()
            .WithSummary("Subscriptions purchased from min_date to max_date (both included) as \"<branch> <price*qty> <date_purchased>\", streamed from a scan.");
        group.MapGet("/monitor/total", async Task<Ok<ContentAnswer>> (IGrainFactory grains) =>
            {
                await Monitor(grains).StartAsync();
                return TypedResults.Ok(new ContentAnswer("Background task created."));
            })
            .RequireAdmin()
            .WithName("StartSubscriptionMonitor")
            .WithSummary("Starts the monitor that publishes the total amount sold (sum of price*qty) every period on the notifications feed (topic monitor); never a second one.");
        group.MapGet("/monitor", async Task<Ok<MonitorStatus>> (IGrainFactory grains) => TypedResults.Ok(await Monitor(grains).GetStatusAsync()))
            .RequireAdmin()
            .WithName("GetSubscriptionMonitor")
            .WithSummary("The monitor: running or stopped, its period, and the latest total with its time.");
        group.MapDelete("/monitor", async Task<Ok<MonitorStatus>> (IGrainFactory grains) =>
            {
                var monitor = Monitor(grains);
                await monitor.StopAsync();
                return TypedResults.Ok(await monitor.GetStatusAsync());
            })
            .RequireAdmin()
            .WithName("StopSubscriptionMonitor")
            .WithSummary("Stops the monitor (it stays stopped across restarts until started again).");

        return group;
    }

    private static ISubscriptionMonitorGrain Monitor(IGrainFactory grains) => grains.GetGrain<ISubscriptionMonitorGrain>(0);
}
