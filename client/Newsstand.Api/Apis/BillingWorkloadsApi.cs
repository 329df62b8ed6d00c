using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Newsstand.Api.Access;
using Newsstand.Api.Binding;
using Newsstand.Api.Idempotency;
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

    private static async Task<Accepted<JobAccepted>> SaveCsvAsync(BillingDateQuery date, IGrainFactory grains, HttpContext context, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
    {
        var schedule = grains.GetGrain<IBillingSheetScheduleGrain>(date.Key);
        if (context.Features.Get<IdempotencyFeature>() is not { } keyed)
        {
            return Accepted((await schedule.StartAsync()).JobId);
        }
        // A keyed start names its job here, so its answer can be committed with the job's row; when a job of the date is
        // already active nothing is written, and the answer (naming that job) is stored after it like any other.
        var proposed = Guid.NewGuid().ToString("N");
        var answer = keyed.Answer(StatusCodes.Status202Accepted, "application/json; charset=utf-8", JobLocation(proposed),
            JsonSerializer.SerializeToUtf8Bytes(new JobAccepted("done", proposed), json.Value.SerializerOptions));
        var job = await schedule.StartKeyedAsync(proposed, answer);
        keyed.StoredWithEffect = job.JobId == proposed;
        return Accepted(job.JobId);
    }

    private static Accepted<JobAccepted> Accepted(string jobId) => TypedResults.Accepted(JobLocation(jobId), new JobAccepted("done", jobId));

    private static string JobLocation(string jobId) => $"/ch08/billing/jobs/{jobId}";

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
