using System.Buffers;
using System.IO.Pipelines;
using Newsstand.Records;

namespace Newsstand.Api.Apis;

/// <summary>
/// A list answer written slice by slice as the grains produce it: constant memory at any table size,
/// and the walk stops as soon as the client goes away. An answer that fits one slice (the common
/// small list) is written at once with its length. Slices arrive already rendered as JSON: the web
/// client neither parses nor re-serializes them. A list that has a version (a table's own list, given
/// <paramref name="version"/>) is tagged with it and answers a matching <c>If-None-Match</c> with 304 and
/// no body, having asked for the version only, not a row.
/// </summary>
internal sealed partial class StreamedListResult(Func<ListRead, Task<ListSlice>> read, Page page, Func<Task<TableRevision>>? version = null)
    : IResult, IStatusCodeHttpResult, IContentTypeHttpResult
{
    private static readonly byte[] Open = "["u8.ToArray();
    private static readonly byte[] Close = "]"u8.ToArray();
    private static readonly byte[] Comma = ","u8.ToArray();

    public int? StatusCode => StatusCodes.Status200OK;

    public string ContentType => "application/json; charset=utf-8";

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        if (version is not null && httpContext.Request.Headers.IfNoneMatch.Count > 0)
        {
            var current = ListEntityTags.Of(await version(), page);
            if (ListEntityTags.Matches(httpContext.Request.GetTypedHeaders().IfNoneMatch, current))
            {
                response.StatusCode = StatusCodes.Status304NotModified;
                ListEntityTags.Describe(response, current);
                return;
            }
        }
        var position = ListRead.Start(page);
        // A failure before the first slice is an ordinary error answer (problem+json).
        var slice = await read(position);
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        if (slice.Version is { } seen)
        {
            ListEntityTags.Describe(response, ListEntityTags.Of(seen, page));
        }
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
