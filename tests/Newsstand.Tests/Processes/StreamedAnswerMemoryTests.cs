using System.Text.Json;
using Xunit.Abstractions;

namespace Newsstand.Tests.Processes;

/// <summary>
/// The whole-table answers stream on a table far larger than a scan batch (<see cref="LargeLoginTable"/>): the silo
/// process's memory does not grow with the table while several answers are read, and every answer is whole.
/// </summary>
[Collection(ProcessTestsDefinition.Name)]
public sealed class StreamedAnswerMemoryTests(LargeLoginTable table, ITestOutputHelper output) : IClassFixture<LargeLoginTable>
{
    private const int Readers = 4;
    private const long AllowedGrowth = 100L * 1024 * 1024;

    [Fact]
    public async Task FourConcurrentLoginRecordAnswersOf200000LoginsAreWholeAndGrowTheSilosMemoryByAtMost100MB()
    {
        using var http = new HttpClient { BaseAddress = table.ClientUrl, Timeout = TimeSpan.FromMinutes(2) };
        var before = table.SiloMemory().Resident;
        table.ResetPeak();
        using var sampling = new CancellationTokenSource();
        var sampled = SamplePeakAsync(sampling.Token);

        var answers = await Task.WhenAll(Enumerable.Range(0, Readers).Select(_ => ReadToEndAsync(http, "/ch08/login/list/records")));
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

    private static async Task<byte[]> ReadToEndAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsByteArrayAsync();
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
