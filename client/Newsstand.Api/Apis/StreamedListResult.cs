using System.Buffers;
using System.IO.Pipelines;
using Newsstand.Records;

namespace Newsstand.Api.Apis;

/// <summary>
/// A list answer written slice by slice as the grains produce it: constant memory at any table size,
/// and the walk stops as soon as the client goes away. An answer that fits one slice (the common
/// small list) is written at once with its length. Slices arrive already rendered as JSON: the web
/// client neither parses nor re-serializes them.
/// </summary>
internal sealed partial class StreamedListResult(Func<ListRead, Task<ListSlice>> read, Page page)
    : IResult, IStatusCodeHttpResult, IContentTypeHttpResult
{
    private static readonly byte[] Open = "["u8.ToArray();
    private static readonly byte[] Close = "]"u8.ToArray();
    private static readonly byte[] Comma = ","u8.ToArray();

    public int? StatusCode => StatusCodes.Status200OK;

    public string ContentType => "application/json; charset=utf-8";

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var position = ListRead.Start(page);
        // A failure before the first slice is an ordinary error answer (problem+json).
        var slice = await read(position);
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        var body = response.BodyWriter;
        if (HttpMethods.IsHead(httpContext.Request.Method))
        {
            // The headers say what a GET would: a length when the answer fits one slice. No body, so no walk.
            response.ContentLength = slice.Done ? slice.Json.Length + 2 : null;
            return;
        }
        if (slice.Done)
        {
            response.ContentLength = slice.Json.Length + 2;
            Write(body, slice, first: true);
            body.Write(Close);
            await body.FlushAsync(httpContext.RequestAborted);
            return;
        }
        await StreamAsync(httpContext, body, position, slice);
    }

    private async Task StreamAsync(HttpContext httpContext, PipeWriter body, ListRead position, ListSlice slice)
    {
        var aborted = httpContext.RequestAborted;
        var written = 0;
        try
        {
            while (true)
            {
                Write(body, slice, first: written == 0);
                written += slice.Count;
                if (slice.Done)
                {
                    break;
                }
                await body.FlushAsync(aborted);
                position = position.After(slice.LastId, slice.Count);
                slice = await read(position).WaitAsync(aborted);
            }
            body.Write(Close);
            await body.FlushAsync(aborted);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away: the walk stops here.
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            // The status line is already sent: cut the connection so the truncated array cannot pass for a whole one.
            LogStreamBroken(httpContext.RequestServices.GetRequiredService<ILogger<StreamedListResult>>(), httpContext.Request.Path, written, error.GetType().Name);
            httpContext.Abort();
        }
    }

    private static void Write(PipeWriter body, ListSlice slice, bool first)
    {
        if (first)
        {
            body.Write(Open);
        }
        else if (slice.Count > 0)
        {
            body.Write(Comma);
        }
        body.Write(slice.Json);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A streamed list of {Path} broke after {Rows} rows ({Error}); the connection was closed.")]
    private static partial void LogStreamBroken(ILogger logger, string path, int rows, string error);
}
