using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Newsstand.Data;
using Newsstand.Messaging;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Messaging;

/// <summary>
/// SIGKILL of the silo while a partition's consumer works through its log in batches: once in the middle of a batch
/// (its transaction open, its rows not yet committed) and once right after a batch committed (before the consumer's
/// next steps). The messages were sent and acknowledged beforehand, with the consumers paused; a trigger the test
/// puts on the messenger table makes each insert slow, so the batches take long enough to be caught. After a
/// restart every message is applied exactly once: one messenger row per message, no failure, the checkpoint at the
/// log's end.
/// </summary>
public abstract class ConsumerBatchCrashTests : IAsyncLifetime
{
    private const int Sent = 40;
    private const int BatchSize = 10;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private protected abstract SiloDatabase Database { get; }

    /// <summary>Makes every insert into the messenger table take a while (a trigger); <see cref="FastInsertsAsync"/> removes it.</summary>
    protected abstract Task SlowInsertsAsync();

    protected abstract Task FastInsertsAsync();

    /// <summary>Whether a write transaction is open on the database now (only the consumer writes in these tests).</summary>
    protected abstract Task<bool> WriteInFlightAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await Database.DisposeAsync();

    private NewsstandDbContext OpenDatabase() => Database.Open();

    [Fact]
    public async Task AKillInTheMiddleOfAConsumerBatchLosesNothingAndAppliesNothingTwice()
    {
        var (database, sent) = await SendWhileConsumersPausedAsync();
        await SlowInsertsAsync();
        await using (var silo = await SiloProcess.StartAsync("silo", database))
        {
            await WaitUntilAsync(async () => await CheckpointAsync() == 0 && await WriteInFlightAsync(), "a consumer batch in flight");
            await silo.KillAsync();
        }
        await using (var db = OpenDatabase())
        {
            // The batch was under way and never committed: nothing of it is stored.
            Assert.Equal(0, await db.Messengers.CountAsync());
        }
        Assert.Equal(0, await CheckpointAsync());

        await FastInsertsAsync();
        await AllConsumedOnceAfterRestartAsync(database, sent);
    }

    [Fact]
    public async Task AKillRightAfterAConsumerBatchCommittedLosesNothingAndAppliesNothingTwice()
    {
        var (database, sent) = await SendWhileConsumersPausedAsync();
        await SlowInsertsAsync();
        long atKill;
        await using (var silo = await SiloProcess.StartAsync("silo", database))
        {
            await WaitUntilAsync(async () => await CheckpointAsync() > 0, "the first consumer batch committed", poll: TimeSpan.FromMilliseconds(5));
            await silo.KillAsync();
            atKill = await CheckpointAsync();
        }
        // Killed between batches: some are committed, each with all its rows, the rest not.
        Assert.InRange(atKill, BatchSize, Sent - 1);
        await using (var db = OpenDatabase())
        {
            Assert.Equal(atKill, await db.Messengers.CountAsync());
        }

        await FastInsertsAsync();
        await AllConsumedOnceAfterRestartAsync(database, sent);
    }

    /// <summary>A vendor, then <see cref="Sent"/> messengers of it sent (each acknowledged) to a one-partition topic with its consumer paused; the silo is then killed.</summary>
    private async Task<(Dictionary<string, string> Database, List<int> Sent)> SendWhileConsumersPausedAsync()
    {
        var database = new Dictionary<string, string>(await Database.CreateAsync())
        {
            ["Topic__Partitions"] = "1",
            ["Topic__ConsumerBatchSize"] = BatchSize.ToString(CultureInfo.InvariantCulture),
        };
        var paused = new Dictionary<string, string>(database) { ["Topic__PauseConsumers"] = "true" };
        var (loginId, vendorId) = (Ids.Next(), Ids.Next());
        var sent = Enumerable.Range(0, Sent).Select(_ => Ids.Next()).ToList();
        await using (var silo = await SiloProcess.StartAsync("silo", paused))
        {
            await using (var web = KestrelWebClient.Start(new WebApplicationFactory<Program>().WithWebHostBuilder(host =>
                host.UseSetting("Orleans:GatewayPorts:0", silo.GatewayPort.ToString(CultureInfo.InvariantCulture)))))
            {
                await web.Http.AddAsync("login", Bodies.Login(loginId));
                await web.Http.AddAsync("vendor", Bodies.Vendor(vendorId, loginId));
                await Task.WhenAll(sent.Select(async id =>
                {
                    using var response = await web.Http.PostAsync("/ch08/messenger/kafka/send", Bodies.Messenger(id, vendorId));
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                }));
            }
            await silo.KillAsync();
        }
        await using var db = OpenDatabase();
        Assert.Equal(Sent, await db.Set<TopicMessage>().CountAsync());
        Assert.Equal(0, await db.Messengers.CountAsync());
        return (database, sent);
    }

    private async Task AllConsumedOnceAfterRestartAsync(Dictionary<string, string> database, List<int> sent)
    {
        await using (var silo = await SiloProcess.StartAsync("silo", database))
        {
            await WaitUntilAsync(async () => await CheckpointAsync() == Sent, "every message consumed");
        }
        await using var db = OpenDatabase();
        Assert.Equal(sent.Order(), await db.Messengers.OrderBy(m => m.Id).Select(m => m.Id).ToListAsync());
        Assert.Empty(await db.Set<TopicFailure>().ToListAsync());
        Assert.Equal(Sent, await db.Set<TopicMessage>().CountAsync());
    }

    private async Task<long> CheckpointAsync()
    {
        await using var db = OpenDatabase();
        return await db.Set<TopicCheckpoint>().SumAsync(c => c.Position);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan? poll = null)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Waited {Patience.TotalSeconds} s for {what}.");
            await Task.Delay(poll ?? TimeSpan.FromMilliseconds(50));
        }
    }
}

public sealed class SqliteConsumerBatchCrashTests : ConsumerBatchCrashTests
{
    // Each messenger insert counts a cross join of this many rows with itself (a trigger may not sleep in SQLite).
    private const int SlowRows = 2000;
    private protected override SiloDatabase Database { get; } = new SqliteSiloDatabase("nsms-batch-crash-");

    private string File => ((SqliteSiloDatabase)Database).File;

    protected override async Task SlowInsertsAsync()
    {
        await using var db = Database.Open();
        await db.Database.ExecuteSqlRawAsync("CREATE TABLE test_slow (x INTEGER)");
        await db.Database.ExecuteSqlRawAsync(
            $"WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < {SlowRows}) INSERT INTO test_slow SELECT x FROM n");
        await db.Database.ExecuteSqlRawAsync(
            "CREATE TRIGGER test_slow_messenger BEFORE INSERT ON messenger BEGIN SELECT count(*) FROM test_slow a, test_slow b; END");
    }

    protected override async Task FastInsertsAsync()
    {
        await using var db = Database.Open();
        await db.Database.ExecuteSqlRawAsync("DROP TRIGGER test_slow_messenger");
    }

    protected override async Task<bool> WriteInFlightAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={File};Pooling=False;Default Timeout=1");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "BEGIN IMMEDIATE";
        try
        {
            await command.ExecuteNonQueryAsync();
        }
        catch (SqliteException busy) when (busy.SqliteErrorCode is 5 or 6)
        {
            return true;
        }
        command.CommandText = "ROLLBACK";
        await command.ExecuteNonQueryAsync();
        return false;
    }
}

public sealed class PostgresConsumerBatchCrashTests : ConsumerBatchCrashTests
{
    private protected override SiloDatabase Database { get; } = new PostgresSiloDatabase("nsms_batch_crash_");

    protected override async Task SlowInsertsAsync()
    {
        await using var db = Database.Open();
        await db.Database.ExecuteSqlRawAsync(
            "CREATE FUNCTION test_slow_messenger() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN PERFORM pg_sleep(0.1); RETURN NEW; END'");
        await db.Database.ExecuteSqlRawAsync(
            "CREATE TRIGGER test_slow_messenger BEFORE INSERT ON messenger FOR EACH ROW EXECUTE FUNCTION test_slow_messenger()");
    }

    protected override async Task FastInsertsAsync()
    {
        // Waits for the killed silo's open transaction to end (the server rolls it back once it notices).
        await using var db = Database.Open();
        await db.Database.ExecuteSqlRawAsync("DROP TRIGGER test_slow_messenger ON messenger");
    }

    protected override async Task<bool> WriteInFlightAsync()
    {
        await using var db = Database.Open();
        return await db.Database.SqlQueryRaw<int>(
            "SELECT count(*)::int AS \"Value\" FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND query LIKE 'INSERT INTO \"messenger\"%'")
            .SingleAsync() > 0;
    }
}
