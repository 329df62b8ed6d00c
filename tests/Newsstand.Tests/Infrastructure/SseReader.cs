using System.Text;

namespace Newsstand.Tests.Infrastructure;

/// <summary>One parsed server-sent event.</summary>
internal sealed record SseEvent(string Id, string Event, string? Retry, string Data);

/// <summary>Reads a text/event-stream answer event by event, over a real connection; comments (heartbeats) are counted and skipped.</summary>
internal sealed class SseReader : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private SseReader(HttpResponseMessage response, Stream body)
    {
        _response = response;
        _reader = new StreamReader(body, Encoding.UTF8);
    }

    public HttpResponseMessage Response => _response;

    public static async Task<SseReader> OpenAsync(HttpClient http, string path, string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode)
        {
            Assert.Fail($"{path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
        return new SseReader(response, await response.Content.ReadAsStreamAsync());
    }

    /// <summary>The next event (waiting at most 30 s, so a missing event fails the test instead of hanging it).</summary>
    public async Task<SseEvent> NextAsync()
    {
        string? id = null, name = null, retry = null;
        var data = new List<string>();
        using var deadline = new CancellationTokenSource(Patience);
        while (true)
        {
            string? line;
            try
            {
                line = await _reader.ReadLineAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                throw new TimeoutException($"No event within {Patience.TotalSeconds} s. Recent silo log:\n"
                    + string.Join('\n', LogCapture.Shared.Lines.TakeLast(40)));
            }
            if (line is null)
            {
                throw new EndOfStreamException("The event stream ended.");
            }
            if (line.Length == 0)
            {
                if (id is not null || data.Count > 0)
                {
                    return new SseEvent(id ?? "", name ?? "message", retry, string.Join('\n', data));
                }
                continue;
            }
            if (line.StartsWith(':'))
            {
                continue;
            }
            var colon = line.IndexOf(':');
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..].TrimStart(' ');
            switch (field)
            {
                case "id": id = value; break;
                case "event": name = value; break;
                case "retry": retry = value; break;
                case "data": data.Add(value); break;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _response.Dispose();
        await Task.CompletedTask;
    }
}
