using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Newsstand.Tests.Infrastructure;

/// <summary>
/// Load through the HTTP API for fault tests: writers send planned requests one after another and every
/// answer is kept (status, when, and for a 503 whether it was a proper shed: problem+json with Retry-After).
/// Waiting for a condition on the answers is event-driven: each answer re-checks the waiters.
/// </summary>
internal sealed class WriteLoad(HttpClient http)
{
    private readonly ConcurrentQueue<Answer> _answers = new();
    private readonly ConcurrentBag<(Func<bool> Done, TaskCompletionSource Signal)> _waiters = [];

    public Stopwatch Clock { get; } = Stopwatch.StartNew();

    public IReadOnlyCollection<Answer> Answers => _answers;

    /// <summary>Sends each planned request in turn until <paramref name="stop"/> or the plan ends.</summary>
    public async Task RunAsync(IEnumerable<Planned> plan, CancellationToken stop)
    {
        foreach (var request in plan)
        {
            if (stop.IsCancellationRequested)
            {
                return;
            }
            if (!(await SendAsync(request, stop)).Acknowledged)
            {
                // A refused write (the service is shedding or broken): a short pause, not a hot loop.
                await Task.Delay(TimeSpan.FromMilliseconds(20), CancellationToken.None);
            }
        }
    }

    public async Task<Answer> SendAsync(Planned request, CancellationToken stop)
    {
        var started = Clock.Elapsed;
        var status = 0;
        var shedProperly = false;
        string? problem = null;
        try
        {
            using var message = new HttpRequestMessage(request.Method, request.Path) { Content = request.Body is null ? null : JsonContent.Create(request.Body) };
            using var response = await http.SendAsync(message, stop);
            status = (int)response.StatusCode;
            shedProperly = response.Content.Headers.ContentType?.MediaType == "application/problem+json" && response.Headers.RetryAfter is not null;
            var body = await response.Content.ReadAsStringAsync(CancellationToken.None);
            problem = response.IsSuccessStatusCode ? null : body[..Math.Min(300, body.Length)];
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            // No answer (the test stopped it, or the connection died): nothing is promised.
        }
        var answer = new Answer(request, status, shedProperly, started, Clock.Elapsed, problem);
        _answers.Enqueue(answer);
        foreach (var waiter in _waiters.Where(w => !w.Signal.Task.IsCompleted && w.Done()))
        {
            waiter.Signal.TrySetResult();
        }
        return answer;
    }

    /// <summary>Sends <paramref name="request"/> again while it answers 503 (shed, or outcome unknown), within <paramref name="budget"/>.</summary>
    public async Task<Answer> SendUntilAnsweredAsync(Planned request, TimeSpan budget)
    {
        using var stop = new CancellationTokenSource(budget);
        var answer = await SendAsync(request, stop.Token);
        while (answer.Status == 503)
        {
            answer = await SendAsync(request, stop.Token);
        }
        return answer;
    }

    /// <summary>Completes once <paramref name="done"/> holds for the answers so far (checked after every answer).</summary>
    public Task When(Func<IReadOnlyCollection<Answer>, bool> done)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiters.Add((() => done(_answers), signal));
        if (done(_answers))
        {
            signal.TrySetResult();
        }
        return signal.Task;
    }

    /// <summary>Ids of <paramref name="table"/> whose add was answered 2xx.</summary>
    public HashSet<int> Acknowledged(string table) =>
        _answers.Where(a => a.Request.Table == table && a.Acknowledged).Select(a => a.Request.Id).ToHashSet();

    public string StatusCounts() =>
        string.Join(", ", _answers.GroupBy(a => (a.Request.Table, a.Status)).OrderBy(g => g.Key).Select(g => $"{g.Key.Table} {g.Key.Status}: {g.Count()}"));

    /// <summary>Adds of <paramref name="table"/> from <paramref name="firstId"/> on, each body made by <paramref name="body"/>.</summary>
    public static IEnumerable<Planned> Adds(string table, int firstId, Func<int, JsonObject> body)
    {
        for (var id = firstId; ; id++)
        {
            yield return Planned.Add(table, id, body(id));
        }
    }

    /// <summary>A request to send; <see cref="Table"/> and <see cref="Id"/> name the row an add writes (empty for reads).</summary>
    public sealed record Planned(HttpMethod Method, string Path, JsonObject? Body, string Table, int Id)
    {
        public static Planned Add(string table, int id, JsonObject body) => new(HttpMethod.Post, $"/ch08/{table}/add", body, table, id);

        public static Planned Get(string path, string kind) => new(HttpMethod.Get, path, null, kind, 0);
    }

    /// <summary>One answer; <see cref="Problem"/> is the start of the body of a refusal, for the test's output.</summary>
    public sealed record Answer(Planned Request, int Status, bool ShedProperly, TimeSpan Started, TimeSpan Ended, string? Problem)
    {
        public bool Acknowledged => Status is >= 200 and < 300;
    }
}
