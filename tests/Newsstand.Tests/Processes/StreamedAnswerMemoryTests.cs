using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Newsstand.Workloads;
using Xunit.Abstractions;

namespace Newsstand.Tests.Processes;

/// <summary>
/// The whole-table answers stream on a table far larger than a scan batch (<see cref="LargeLoginTable"/>): the silo
/// process's memory does not grow with the table while several answers are read, every answer is whole, a client
/// that leaves mid-answer stops the silo's scan and its answer's grain, and beyond four answers at
/// once a request is refused with 503 and Retry-After.
/// </summary>
[Collection(ProcessTestsDefinition.Name)]
public sealed class StreamedAnswerMemoryTests(LargeLoginTable table, ITestOutputHelper output) : IClassFixture<LargeLoginTable>
{
    private const int Readers = 4;
    private const long AllowedGrowth = 100L * 1024 * 1024;
    private const string Path = "/ch08/login/list/records";

    [Fact]
    public async Task FourConcurrentLoginRecordAnswersOf200000LoginsAreWholeAndGrowTheSilosMemoryByAtMost100MB()
    {
        using var http = new HttpClient { BaseAddress = table.ClientUrl, Timeout = TimeSpan.FromMinutes(2) };
        var before = table.SiloMemory().Resident;
        table.ResetPeak();
        using var sampling = new CancellationTokenSource();
        var sampled = SamplePeakAsync(sampling.Token);

        var answers = await Task.WhenAll(Enumerable.Range(0, Readers).Select(_ => ReadToEndAsync(http)));
        await sampling.CancelAsync();
        var peak = Math.Max(await sampled, table.SiloMemory().Peak);

        var growth = peak - before;
        output.WriteLine($"Silo resident set before {Mb(before)} MB, peak while {Readers} answers of {LargeLoginTable.Logins} logins streamed {Mb(peak)} MB (growth {Mb(growth)} MB); answers of {string.Join(", ", answers.Select(a => a.Length / 1024))} KiB.");
        foreach (var answer in answers)
        {
            AssertWholeLoginRecords(answer);
        }
        Assert.True(growth <= AllowedGrowth, $"The silo's resident set grew by {Mb(growth)} MB (from {Mb(before)} MB to {Mb(peak)} MB) while {Readers} answers streamed.");
    }

    [Fact]
    public async Task AClientThatLeavesMidAnswerStopsTheSilosScan()
    {
        // Nothing of an abandoned answer is drained: disposing it closes the connection at once.
        using var http = new HttpClient(new SocketsHttpHandler { MaxResponseDrainSize = 0 }) { BaseAddress = table.ClientUrl };
        using (var response = await StartAnswerAsync(http))
        {
            await using var body = await response.Content.ReadAsStreamAsync();
            await body.ReadExactlyAsync(new byte[64 * 1024]);
        }

        var ended = await table.Silo.Host.WaitForLineAsync(
            line => line.Contains(nameof(LoginRecordsGrain), StringComparison.Ordinal) && line.Contains("ended early", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30));
        var sent = long.Parse(Regex.Match(ended, @"ended early after (\d+) items").Groups[1].Value, CultureInfo.InvariantCulture);
        output.WriteLine($"The silo's scan stopped after {sent} of {LargeLoginTable.Logins} logins.");
        Assert.InRange(sent, 1, LargeLoginTable.Logins / 2);
        // Its grain, idle from here on, is collected by its age limit (two minutes); the client's dispose of the
        // enumeration can reactivate a grain that let itself go, so when that happens is not asserted here.
    }

    [Fact]
    public async Task BeyondFourAnswersStreamingAtOnceARequestIsRefusedWith503AndRetryAfterUntilOneEnds()
    {
        using var http = new HttpClient { BaseAddress = table.ClientUrl, Timeout = TimeSpan.FromMinutes(2) };
        var streaming = new List<HttpResponseMessage>();
        try
        {
            // Four answers started and not read: each holds its place while the rest of it waits to be sent.
            for (var i = 0; i < Readers; i++)
            {
                streaming.Add(await StartAnswerAsync(http));
            }

            using var refused = await http.GetAsync(Path);

            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            foreach (var answer in streaming)
            {
                AssertWholeLoginRecords(await answer.Content.ReadAsByteArrayAsync());
            }
        }
        finally
        {
            streaming.ForEach(answer => answer.Dispose());
        }
        // The places are given back once the answers have ended (the last one may still be closing: wait as told).
        using var again = await StartAnswerAsync(http);
        AssertWholeLoginRecords(await again.Content.ReadAsByteArrayAsync());
    }

    /// <summary>The answer is one JSON object whose count and user list hold every login, in id order, exactly once.</summary>
    private static void AssertWholeLoginRecords(byte[] answer)
    {
        using var json = JsonDocument.Parse(answer);
        Assert.Equal(LargeLoginTable.Logins, json.RootElement.GetProperty("num_rec").GetInt64());
        var users = json.RootElement.GetProperty("user_list");
        Assert.Equal(LargeLoginTable.Logins, users.GetArrayLength());
        var id = 0;
        foreach (var user in users.EnumerateArray())
        {
            id++;
            if (user.GetString() != LargeLoginTable.User(id))
            {
                Assert.Fail($"Entry {id} of the user list is {user}, expected \"{LargeLoginTable.User(id)}\".");
            }
        }
    }

    private static async Task<byte[]> ReadToEndAsync(HttpClient http)
    {
        using var response = await StartAnswerAsync(http);
        return await response.Content.ReadAsByteArrayAsync();
    }

    /// <summary>
    /// Starts an answer as a client told to wait would: a place an earlier test's answer still holds (the server gives
    /// it back once that response has ended, which it may notice after the client has moved on) is waited for as
    /// Retry-After says, a few times; any other answer than 200 fails with its body.
    /// </summary>
    private static async Task<HttpResponseMessage> StartAnswerAsync(HttpClient http)
    {
        for (var attempt = 1; ; attempt++)
        {
            var response = await http.GetAsync(Path, HttpCompletionOption.ResponseHeadersRead);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return response;
            }
            using (response)
            {
                var body = await response.Content.ReadAsStringAsync();
                var placeTaken = response.StatusCode == HttpStatusCode.ServiceUnavailable && body.Contains($"answers of {Path} lane is full", StringComparison.Ordinal);
                if (!placeTaken || attempt == 10)
                {
                    Assert.Fail($"Attempt {attempt} of {Path} answered {(int)response.StatusCode}: {body}");
                }
                await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1));
            }
        }
    }

    /// <summary>The silo's largest resident set seen every 20 ms until <paramref name="stop"/> (a second look besides <c>VmHWM</c>).</summary>
    private async Task<long> SamplePeakAsync(CancellationToken stop)
    {
        var peak = 0L;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        do
        {
            peak = Math.Max(peak, table.SiloMemory().Resident);
        }
        while (await WaitAsync(timer, stop));
        return peak;
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stop)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stop);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static long Mb(long bytes) => bytes / (1024 * 1024);
}
