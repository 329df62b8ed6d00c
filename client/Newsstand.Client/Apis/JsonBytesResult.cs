namespace Newsstand.Client.Apis;

/// <summary>
/// A JSON body the grain already rendered, written as is: the light list routes neither parse nor
/// re-serialize it, and skip the range and caching logic of a file result.
/// </summary>
internal sealed class JsonBytesResult(byte[] body) : IResult, IStatusCodeHttpResult, IContentTypeHttpResult
{
    public int? StatusCode => StatusCodes.Status200OK;

    public string ContentType => "application/json; charset=utf-8";

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, 0, body.Length, httpContext.RequestAborted);
    }

    public static async Task<JsonBytesResult> FromAsync(Task<byte[]> body) => new(await body);
}
