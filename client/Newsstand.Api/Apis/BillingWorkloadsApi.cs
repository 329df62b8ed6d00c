using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Newsstand.Api.Access;
using Newsstand.Api.Binding;
using Newsstand.Errors;
using Newsstand.Grains;
using Newsstand.Workloads;

namespace Newsstand.Api.Apis;

/// <summary>Workloads over billings: the billing sheet job (CSV) and the retried payable total task.</summary>
internal static class BillingWorkloadsApi
{
    public static RouteGroupBuilder MapBillingWorkloadsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/ch08/billing").WithTags("Workloads: billing").RequireAdmin();

        group.MapPost("/save/csv", SaveCsvAsync)
            .WithName("StartBillingSheetJob")
            .ProducesValidationProblem()
            .WithSummary("Starts a background job writing the billing sheet of billing_date to billing-<date>.csv (or returns the job already running for that date).");
        group.MapGet("/jobs/{job_id}", GetJobAsync)
            .WithName("GetBillingSheetJob")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("A billing sheet job: status (queued, running, succeeded, failed), progress, total payable, file name. With wait=N (1-20) it answers once the job finished or after N seconds.");
        group.MapGet("/jobs/{job_id}/file", DownloadAsync)
            .WithName("DownloadBillingSheet")
            .Produces<Stream>(StatusCodes.Status200OK, BillingSheetResult.ContentType)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("The sheet a succeeded job wrote (text/csv).");
        group.MapPost("/total/payable", async Task<Ok<PayableTotal>> (BillingDateQuery date, IGrainFactory grains) =>
                TypedResults.Ok(await grains.GetGrain<IPayableTotalTaskGrain>(date.Key).ComputeAsync()))
            .WithName("ComputePayableTotal")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status500InternalServerError)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Sums payable of the billings billed on billing_date: a task grain retrying transient faults (up to 5 tries, exponential backoff with jitter); 503 with Retry-After when they persist.");

        return group;
    }

    private static async Task<Accepted<JobAccepted>> SaveCsvAsync(BillingDateQuery date, IGrainFactory grains)
    {
        var job = await grains.GetGrain<IBillingSheetScheduleGrain>(date.Key).StartAsync();
        return TypedResults.Accepted($"/ch08/billing/jobs/{job.JobId}", new JobAccepted("done", job.JobId));
    }

    private static async Task<Ok<BillingJobStatus>> GetJobAsync([FromRoute(Name = "job_id")] string jobId, WaitQuery wait, IGrainFactory grains)
    {
        var job = Job(grains, jobId);
        return TypedResults.Ok(wait.Seconds > 0 ? await job.WaitAsync(TimeSpan.FromSeconds(wait.Seconds)) : await job.GetAsync());
    }

    private static async Task<BillingSheetResult> DownloadAsync([FromRoute(Name = "job_id")] string jobId, IGrainFactory grains)
    {
        var job = Job(grains, jobId);
        var status = await job.GetAsync();
        return status.Status == JobStates.Succeeded ? new BillingSheetResult(job, status.FileName!) : throw new JobNotReadyException(jobId, status.Status);
    }

    private static IBillingSheetJobGrain Job(IGrainFactory grains, string jobId) =>
        JobIds.IsWellFormed(jobId) ? grains.GetGrain<IBillingSheetJobGrain>(jobId) : throw new WorkloadNotFoundException($"Billing job {jobId}");
}
