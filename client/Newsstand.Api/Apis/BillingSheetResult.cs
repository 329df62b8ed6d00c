using Newsstand.Grains;

namespace Newsstand.Api.Apis;

/// <summary>
/// A billing sheet streamed from its job grain chunk by chunk. The first chunk is fetched before anything is
/// written, so a sheet that cannot be read (gone from disk) still answers with a problem, not a broken 200.
/// </summary>
internal sealed class BillingSheetResult(IBillingSheetJobGrain job, string fileName) : IResult
{
    public const string ContentType = "text/csv";

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var aborted = httpContext.RequestAborted;
        await using var chunks = job.ReadSheetAsync().GetAsyncEnumerator(aborted);
        var more = await chunks.MoveNextAsync();
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType + "; charset=utf-8";
        response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
        while (more)
        {
            await response.Body.WriteAsync(chunks.Current, aborted);
            more = await chunks.MoveNextAsync();
        }
    }
}
