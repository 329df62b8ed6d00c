using System.Globalization;
using System.Net;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Newsstand.Data;
using Newsstand.Messaging;
using Newsstand.Tests.Infrastructure;
using Npgsql;

namespace Newsstand.Tests.Messaging;

/// <summary>
/// SIGKILL of the silo while a partition's consumer works through its log in batches: once in the middle of a batch
/// (its transaction open, half its rows inserted, nothing committed) and once right after a batch committed (before
/// anything of the next batch reached the database). The messages were sent and acknowledged beforehand, with the
/// consumers paused. The kill point does not depend on timing: a trigger the test puts on the messenger table holds
/// the insert that would store more than a given number of rows inside its transaction until the silo is killed
/// (SQLite: a count it never finishes; PostgreSQL: an advisory lock the test holds), and the test sees that insert
/// held before it kills. After a restart every message is applied exactly once: one messenger row per message, no
/// failure, the checkpoint at the log's end.
/// </summary>
public abstract class ConsumerBatchCrashTests : IAsyncLifetime
{
    private const int Sent = 40;
    private const int BatchSize = 10;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private protected abstract SiloDatabase Database { get; }

    /// <summary>
    /// Whether the held batch commits once the hold is released, after the kill. SQLite: no (its writer died with the
    /// silo). PostgreSQL: yes, for a batch of plain rows is sent whole in one round trip, no COMMIT of its own: the server
    /// has all of it, runs the rest once the hold lets go and commits at the batch's end, its answer lost (the outcome the
    /// killed silo never reported, as a COMMIT sent before a kill). Rows and checkpoint still commit together.
    /// </summary>
    private protected abstract bool HeldBatchCommitsAfterKill { get; }

    /// <summary>From now on an insert into the messenger table that would make it hold more than <paramref name="stored"/>
    /// rows (those of its own transaction included) waits inside its transaction until <see cref="ReleaseInsertsAsync"/>.</summary>
    protected abstract Task HoldInsertsAsync(int stored);

    /// <summary>Whether an insert waits on the hold now (its batch's transaction open).</summary>
    protected abstract Task<bool> InsertHeldAsync();

    /// <summary>Removes the hold once the silo is killed (waits for the killed silo's transaction to end).</summary>
    protected abstract Task ReleaseInsertsAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync() => await Database.DisposeAsync();

    private NewsstandDbContext OpenDatabase() => Database.Open();

    [Fact]
    public async Task AKillInTheMiddleOfAConsumerBatchLosesNothingAndAppliesNothingTwice()
    {
        var (database, sent) = await SendWhileConsumersPausedAsync();
        await HoldInsertsAsync(BatchSize / 2);
        await using (var silo = await SiloProcess.StartAsync("silo", database))
        {
            await WaitUntilAsync(InsertHeldAsync, "the first consumer batch held halfway");
            await silo.KillAsync();
        }
        await ReleaseInsertsAsync();
        await using (var db = OpenDatabase())
        {
            // The batch was under way, half its rows inserted, when the silo died: all of it or nothing is stored.
            Assert.Equal(HeldBatchCommitsAfterKill ? BatchSize : 0, await db.Messengers.CountAsync());
        }
        Assert.Equal(HeldBatchCommitsAfterKill ? BatchSize : 0, await CheckpointAsync());

        await AllConsumedOnceAfterRestartAsync(database, sent);
    }

    [Fact]
    public async Task AKillRightAfterAConsumerBatchCommittedLosesNothingAndAppliesNothingTwice()
    {
        var (database, sent) = await SendWhileConsumersPausedAsync();
        await HoldInsertsAsync(BatchSize);
        await using (var silo = await SiloProcess.StartAsync("silo", database))
        {
            await WaitUntilAsync(InsertHeldAsync, "the second consumer batch held at its first row");
            await silo.KillAsync();
        }
        await ReleaseInsertsAsync();
        // Killed after the first batch committed: all its rows and its checkpoint are stored, and all or nothing of the next one.
        var stored = HeldBatchCommitsAfterKill ? 2 * BatchSize : BatchSize;
        Assert.Equal(stored, await CheckpointAsync());
        await using (var db = OpenDatabase())
        {
            Assert.Equal(stored, await db.Messengers.CountAsync());
        }

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
            await using (var web = KestrelWebClient.ForSilo(silo))
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

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Waited {Patience.TotalSeconds} s for {what}.");
            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
    }
}


public sealed class SqliteConsumerBatchCrashTests : ConsumerBatchCrashTests
{
    // A trigger may neither sleep nor wait for a lock in SQLite: the held insert counts a four-way cross join of this
    // many rows (10^12, hours), which the kill ends. Only the held insert spins, for the moment the test needs to see it.
    private const int SpinRows = 1000;
    private protected override SiloDatabase Database { get; } = new SqliteSiloDatabase("nsms-batch-crash-");

    private protected override bool HeldBatchCommitsAfterKill => false;

    private string File => ((SqliteSiloDatabase)Database).File;

    protected override async Task HoldInsertsAsync(int stored)
    {
        await using var db = Database.Open();
        await db.Database.ExecuteSqlRawAsync("CREATE TABLE test_spin (x INTEGER)");
        await db.Database.ExecuteSqlRawAsync(
            $"WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < {SpinRows}) INSERT INTO test_spin SELECT x FROM n");
        // DDL takes no parameters; the one value in it is a number.
        var trigger = $"""
            CREATE TRIGGER test_hold_messenger BEFORE INSERT ON messenger WHEN (SELECT count(*) FROM messenger) >= {stored}
            BEGIN SELECT count(*) FROM test_spin a, test_spin b, test_spin c, test_spin d; END
            """;
        await db.Database.ExecuteSqlRawAsync(trigger);
    }

    protected override async Task ReleaseInsertsAsync()
    {
        await using var db = Database.Open();
        await db.Database.ExecuteSqlRawAsync("DROP TRIGGER test_hold_messenger");
    }

    /// <summary>The write lock stays taken for a whole second (a commit of the consumer takes milliseconds; the held insert never ends).</summary>
    protected override async Task<bool> InsertHeldAsync()
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
    /// <summary>The advisory lock the test holds and the held insert waits for.</summary>
    private const long HoldKey = 1_700_017;
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _holding = Task.CompletedTask;

    private protected override SiloDatabase Database { get; } = new PostgresSiloDatabase("nsms_batch_crash_");

    private protected override bool HeldBatchCommitsAfterKill => true;

    protected override async Task HoldInsertsAsync(int stored)
    {
        var locked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _holding = HoldLockAsync(locked);
        await locked.Task;
        await using var db = Database.Open();
        // A row-level BEFORE trigger sees the rows its statement and transaction inserted before. DDL takes no
        // parameters; the one value in it is a number.
        var function = $"""
            CREATE FUNCTION test_hold_messenger() RETURNS trigger LANGUAGE plpgsql AS
            'BEGIN IF (SELECT count(*) FROM messenger) >= {stored} THEN PERFORM pg_advisory_xact_lock_shared({HoldKey}); END IF; RETURN NEW; END'
            """;
        await db.Database.ExecuteSqlRawAsync(function);
        await db.Database.ExecuteSqlRawAsync(
            "CREATE TRIGGER test_hold_messenger BEFORE INSERT ON messenger FOR EACH ROW EXECUTE FUNCTION test_hold_messenger()");
    }

    protected override async Task ReleaseInsertsAsync()
    {
        // The killed silo's backend goes on once the lock is free, finds its client gone and rolls back; the DROP waits for that.
        _release.TrySetResult();
        await _holding;
        await using var db = Database.Open();
        await db.Database.ExecuteSqlRawAsync("DROP TRIGGER test_hold_messenger ON messenger");
    }

    protected override async Task<bool> InsertHeldAsync()
    {
        await using var db = Database.Open();
        return await db.Database.SqlQueryRaw<int>($"""
            SELECT count(*)::int AS "Value" FROM pg_locks l JOIN pg_database d ON d.oid = l.database
            WHERE d.datname = current_database() AND l.locktype = 'advisory' AND l.objid = {HoldKey} AND NOT l.granted
            """).SingleAsync() > 0;
    }

    public override async Task DisposeAsync()
    {
        _release.TrySetResult();
        await _holding.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await base.DisposeAsync();
    }

    /// <summary>Takes the advisory lock on a connection of its own, says so, and keeps it until released.</summary>
    private async Task HoldLockAsync(TaskCompletionSource locked)
    {
        try
        {
            // Not pooled: a session lock would outlive a connection given back to the pool.
            var unpooled = new NpgsqlConnectionStringBuilder(((PostgresSiloDatabase)Database).Connection) { Pooling = false };
            await using var connection = new NpgsqlConnection(unpooled.ConnectionString);
            await connection.OpenAsync();
            await using (var hold = new NpgsqlCommand($"SELECT pg_advisory_lock({HoldKey})", connection))
            {
                await hold.ExecuteNonQueryAsync();
            }
            locked.SetResult();
            await _release.Task;
            await using var unlock = new NpgsqlCommand($"SELECT pg_advisory_unlock({HoldKey})", connection);
            await unlock.ExecuteNonQueryAsync();
        }
        catch (Exception error)
        {
            locked.TrySetException(error);
            throw;
        }
    }
}
