using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;

namespace Newsstand.Api.Streaming;

/// <summary>One server-sent event: its <c>id</c>, its <c>event</c> name, its <c>data</c> (JSON, possibly several lines) and an optional <c>retry</c>.</summary>
internal readonly record struct ServerSentEvent(string Id, string Event, string Data, int? RetryMilliseconds = null);

/// <summary>
/// Writes a <c>text/event-stream</c> answer: each event as it arrives, a comment line as a heartbeat when
/// nothing arrived for a while (so proxies and clients keep the connection), and nothing more once the
/// client has gone: the events' enumerator is disposed, which ends whatever subscription feeds it. When
/// the host stops, the answer ends cleanly at once (the client's event source reconnects, to another web
/// client or after the restart), so a shutdown never waits for a feed.
/// </summary>
internal static partial class ServerSentEvents
{
    public const string ContentType = "text/event-stream";

    public static readonly TimeSpan DefaultHeartbeat = TimeSpan.FromSeconds(15);

    /// <summary>Bytes of ready events written before they are flushed together.</summary>
    private const int FlushBytes = 16 * 1024;

    public static async Task WriteAsync(HttpContext context, IAsyncEnumerable<ServerSentEvent> events, TimeSpan heartbeat, TimeProvider time)
    {
        var response = context.Response;
        // The answer ends when the client leaves, or (cleanly, so the client reconnects elsewhere) when the host stops.
        var stopping = context.RequestServices?.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None;
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        var aborted = ending.Token;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-cache";
        // Asks reverse proxies (nginx and the like) not to hold events back.
        response.Headers["X-Accel-Buffering"] = "no";
        var body = response.BodyWriter;
        await body.FlushAsync(aborted);

        var enumerator = events.GetAsyncEnumerator(aborted);
        var next = Task.FromResult(false);
        var unflushed = 0L;
        try
        {
            next = enumerator.MoveNextAsync().AsTask();
            while (true)
            {
                if (!next.IsCompleted)
                {
                    // Nothing more is ready: what is written goes out now, then a heartbeat fills any long silence.
                    if (unflushed > 0)
                    {
                        unflushed = 0;
                        await body.FlushAsync(aborted);
                    }
                    using var beat = CancellationTokenSource.CreateLinkedTokenSource(aborted);
                    var delay = Task.Delay(heartbeat, time, beat.Token);
                    if (await Task.WhenAny(next, delay) == delay)
                    {
                        body.Write(": heartbeat\n\n"u8);
                        await body.FlushAsync(aborted);
                        continue;
                    }
                    await beat.CancelAsync();
                }
                if (!await next)
                {
                    await body.FlushAsync(aborted);
                    return;
                }
                unflushed += Write(body, enumerator.Current);
                // Events that are ready at once (a catch-up page) go out together: one flush (one send) per
                // FlushBytes, not per event. The flush also waits while the client is slower than the feed.
                if (unflushed >= FlushBytes)
                {
                    unflushed = 0;
                    await body.FlushAsync(aborted);
                }
                next = enumerator.MoveNextAsync().AsTask();
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away, or the host is stopping: the answer ends here.
        }
        catch (SlowReaderException)
        {
            // The client fell too far behind: the answer ends, and it may reconnect (with Last-Event-ID where the feed supports it).
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            // The feed failed after the answer began (e.g. a silo died under a call): end it cleanly, so the client's
            // event source reconnects (with Last-Event-ID where the feed supports it) instead of seeing a broken answer.
            LogFeedFailed(context.RequestServices?.GetService<ILoggerFactory>()?.CreateLogger(typeof(ServerSentEvents).FullName!), context.Request.Path, error);
        }
        finally
        {
            // An enumerator cannot be disposed while a MoveNext is pending: the aborted token ends that wait first.
            await ((Task)next).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            // Disposing ends whatever subscription feeds the events.
            await enumerator.DisposeAsync();
        }
    }

    private static void LogFeedFailed(ILogger? logger, PathString path, Exception error)
    {
        if (logger is not null)
        {
            LogFeedEnded(logger, path, error);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The feed {Path} failed and its answer was ended; the client may resume.")]
    private static partial void LogFeedEnded(ILogger logger, PathString path, Exception error);

    /// <summary>Writes one event straight into the answer's buffer (no intermediate string); the bytes written.</summary>
    private static long Write(PipeWriter body, ServerSentEvent item)
    {
        // Ids and event names are ours and single-line; a line break in them would end the field early.
        var written = Field(body, "id: "u8, item.Id.ReplaceLineEndings(" "));
        written += Field(body, "event: "u8, item.Event.ReplaceLineEndings(" "));
        if (item.RetryMilliseconds is { } retry)
        {
            written += Field(body, "retry: "u8, retry.ToString(CultureInfo.InvariantCulture));
        }
        var data = item.Data.AsSpan();
        while (true)
        {
            var end = data.IndexOf('\n');
            var line = end < 0 ? data : data[..end];
            written += Field(body, "data: "u8, line.TrimEnd('\r'));
            if (end < 0)
            {
                break;
            }
            data = data[(end + 1)..];
        }
        body.Write("\n"u8);
        return written + 1;
    }

    /// <summary>One <c>name: value</c> line.</summary>
    private static long Field(PipeWriter body, ReadOnlySpan<byte> name, ReadOnlySpan<char> value)
    {
        body.Write(name);
        var written = Encoding.UTF8.GetBytes(value, body);
        body.Write("\n"u8);
        return name.Length + written + 1;
    }
}
