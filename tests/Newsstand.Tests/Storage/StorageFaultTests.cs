using System.Data.Common;
using System.Net.Http.Json;
using Microsoft.Data.Sqlite;
using Newsstand.Tests.Infrastructure;
using Newsstand.Tests.Processes;
using Npgsql;
using Xunit.Abstractions;

namespace Newsstand.Tests.Storage;

/// <summary>
/// The database fails under write load and comes back: PostgreSQL stopped (its own throwaway server),
/// SQLite's disk filled up, SQLite's files made read-only. Writes answer 503 problem+json with Retry-After
/// and a log line says why, reads from grain memory keep working, the service recovers by itself once the
/// database does, and nothing acknowledged is lost or half written (SQLite: the file passes its integrity check).
/// </summary>
[Collection(ProcessTestsDefinition.Name)]
public sealed class StorageFaultTests(ITestOutputHelper output)
{
    private const int Login = 1;
    private const int WrittenBefore = 20;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task PostgresStoppedUnderLoadAnswers503UntilItIsBackThenTheServiceRecoversWithoutARestart()
    {
        await using var postgres = await ThrowawayPostgres.StartAsync();
        var data = Directory.CreateTempSubdirectory("nsms-pg-fault-").FullName;
        try
        {
            // The log line names the innermost database error, which depends on the moment the server went: a refused
            // connection (NpgsqlException), the server's shutdown notice (PostgresException 57P01) or a stream cut mid-command.
            var acknowledged = await RunThroughFaultAsync(NewsstandCluster.Settings(data, postgres.ConnectionString),
                postgres.StopServerAsync, postgres.StartServerAsync, "NpgsqlException", "PostgresException", "EndOfStreamException");

            await using var connection = new NpgsqlConnection(postgres.ConnectionString);
            await AssertCommittedAsync(connection, acknowledged);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task SqliteOnAFullDiskAnswers503WithAClearLogLineAndKeepsItsFileIntact()
    {
        await using var disk = await FaultyDisk.CreateAsync(megabytes: 32);
        var file = Path.Combine(disk.Path, "newsstand.db");

        var acknowledged = await RunThroughFaultAsync(NewsstandCluster.Settings(disk.Path), async () =>
        {
            // An empty write-ahead log: the next commit needs new blocks, which the full disk no longer has.
            await CheckpointAsync(file);
            await disk.FillAsync();
        }, () =>
        {
            disk.Free();
            return Task.CompletedTask;
        }, "database or disk is full");

        await AssertIntactAsync(file, acknowledged);
    }

    [Fact]
    public async Task SqliteFilesMadeReadOnlyAnswer503WithAClearLogLineAndKeepTheFileIntact()
    {
        await using var disk = await FaultyDisk.CreateAsync(megabytes: 32);
        var file = Path.Combine(disk.Path, "newsstand.db");

        var acknowledged = await RunThroughFaultAsync(NewsstandCluster.Settings(disk.Path),
            () => disk.FreezeAsync(file, file + "-wal"), disk.ThawAsync, "SqliteException");

        await AssertIntactAsync(file, acknowledged);
    }

    /// <summary>
    /// A silo on <paramref name="settings"/> and the real web client; vendors are written by three writers while
    /// <paramref name="breakIt"/> and later <paramref name="repair"/> run. Returns the acknowledged vendor ids.
    /// </summary>
    private async Task<HashSet<int>> RunThroughFaultAsync(Dictionary<string, string?> settings, Func<Task> breakIt, Func<Task> repair, params string[] logged)
    {
        var cluster = await NewsstandCluster.StartAsync(settings);
        try
        {
            await using var web = NewsstandCluster.CreateWebClient(cluster);
            using var http = web.CreateClient();
            (await http.PostAsync("/ch08/login/add", JsonContent.Create(Bodies.Login(Login)))).EnsureSuccessStatusCode();
            for (var id = 1; id <= WrittenBefore; id++)
            {
                await http.AddAsync("vendor", Bodies.Vendor(id, Login));
            }
            var load = new WriteLoad(http);
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(1, 3).Select(n => load.RunAsync(WriteLoad.Adds("vendor", n * 100_000, id => Bodies.Vendor(id, Login)), stop.Token)).ToArray();
            await load.When(answers => answers.Count(a => a.Acknowledged) >= 30).WaitAsync(Budget);

            var brokenAt = load.Clock.Elapsed;
            await breakIt();
            await load.When(answers => answers.Any(a => a.Status == 503 && a.Started > brokenAt)).WaitAsync(Budget);
            // Reads of rows in grain memory need no database.
            for (var read = 0; read < 10; read++)
            {
                var listed = await http.ListAsync($"/ch08/vendor/list?limit={WrittenBefore}");
                Assert.Equal(Enumerable.Range(1, WrittenBefore), listed.Select(v => (int)v!["id"]!));
            }

            var repairedAt = load.Clock.Elapsed;
            await repair();
            await load.When(answers => answers.Any(a => a.Acknowledged && a.Started > repairedAt)).WaitAsync(Budget);
            await stop.CancelAsync();
            await Task.WhenAll(writers);

            output.WriteLine($"Answers: {load.StatusCounts()}; fault at {brokenAt.TotalSeconds:0.0} s, repaired at {repairedAt.TotalSeconds:0.0} s.");
            var answered = load.Answers.Where(a => a.Status != 0).ToList();
            Assert.All(answered, a => Assert.True(a.Status is 200 or 503, $"{a.Request.Path} {a.Request.Id}: {a.Status}"));
            Assert.All(answered.Where(a => a.Status == 503), a => Assert.True(a.ShedProperly, $"503 for {a.Request.Id} without problem+json and Retry-After"));
            Assert.Contains(LogCapture.Shared.Lines, line => line.Contains("refused a group commit", StringComparison.Ordinal) && logged.Any(error => line.Contains(error, StringComparison.Ordinal)));

            var acknowledged = load.Acknowledged("vendor");
            acknowledged.UnionWith(Enumerable.Range(1, WrittenBefore));
            var listedAfter = (await http.ListAsync("/ch08/vendor/list?limit=10000")).Select(v => (int)v!["id"]!).ToHashSet();
            Assert.Empty(acknowledged.Except(listedAfter));
            return acknowledged;
        }
        finally
        {
            await cluster.DisposeAsync();
            SqliteConnection.ClearAllPools();
            NpgsqlConnection.ClearAllPools();
        }
    }

    private static async Task CheckpointAsync(string file)
    {
        await using var connection = new SqliteConnection($"Data Source={file};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
        await command.ExecuteNonQueryAsync();
    }

    private static async Task AssertIntactAsync(string file, HashSet<int> acknowledged)
    {
        await using var connection = new SqliteConnection($"Data Source={file};Pooling=False");
        await connection.OpenAsync();
        await using (var check = connection.CreateCommand())
        {
            check.CommandText = "PRAGMA integrity_check;";
            Assert.Equal("ok", (string?)await check.ExecuteScalarAsync());
        }
        await AssertCommittedAsync(connection, acknowledged);
    }

    /// <summary>Every acknowledged vendor is stored, and every stored vendor is whole: exactly the body that was sent.</summary>
    private static async Task AssertCommittedAsync(DbConnection connection, HashSet<int> acknowledged)
    {
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await connection.OpenAsync();
        }
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, rep_lastname, rep_id, account_name, account_number, login_id FROM vendor";
        var stored = new HashSet<int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var id = reader.GetInt32(0);
            stored.Add(id);
            var sent = Bodies.Vendor(id, Login);
            Assert.Equal(((string?)sent["rep_lastname"], (string?)sent["rep_id"], (string?)sent["account_name"], (string?)sent["account_number"], Login),
                (reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetInt32(5)));
        }
        Assert.Empty(acknowledged.Except(stored));
    }
}
