using Microsoft.Extensions.Logging;

namespace Newsstand.Workloads;

/// <summary>
/// How the answer of a per-answer grain (one activation per whole-table answer) ends. When the caller stops reading
/// (its HTTP client left, so the web client disposes the enumeration), Orleans disposes the grain's enumerator and the
/// scan stops where it was, and the answer's activation is let go at once. Read to the end, the scan completes and the
/// activation is left to its collection age limit (the web client still ends its enumeration with a call to it, which
/// would activate it again). The end is logged (under the grain's category) with how many items went out.
/// </summary>
internal static partial class StreamedAnswer
{
    public static async IAsyncEnumerable<T> EndingWith<T>(this IAsyncEnumerable<T> items, Grain answer, ILogger logger)
    {
        var key = answer.GetPrimaryKey();
        var sent = 0L;
        var complete = false;
        try
        {
            await foreach (var item in items)
            {
                sent++;
                yield return item;
            }
            complete = true;
        }
        finally
        {
            if (complete)
            {
                LogComplete(logger, key, sent);
            }
            else
            {
                // The caller's disposal was its last call: nothing will ask this activation again.
                LogEndedEarly(logger, key, sent);
                answer.DeactivateOnIdle();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Answer {Answer} was read to the end ({Items} items).")]
    private static partial void LogComplete(ILogger logger, Guid answer, long items);

    [LoggerMessage(Level = LogLevel.Information, Message = "Answer {Answer} ended early after {Items} items: its caller stopped reading (or the scan failed), so the scan stopped.")]
    private static partial void LogEndedEarly(ILogger logger, Guid answer, long items);
}
