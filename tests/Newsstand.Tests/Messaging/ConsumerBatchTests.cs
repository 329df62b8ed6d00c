using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Newsstand.Data;
using Newsstand.Errors;
using Newsstand.Grains;
using Newsstand.Messaging;
using Newsstand.Records;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Messaging;

/// <summary>
/// One batch of a partition's log consumed in one transaction through the messenger owners, on SQLite and PostgreSQL:
/// a bad message fails alone and is recorded once, a batch is never applied twice, and an id another write holds waits.
/// The batches here belong to topics of their own (the log rows are written by the test), so no running consumer meets them.
/// </summary>
public abstract class ConsumerBatchTests(IStorageFixture fixture)
{
    [Fact]
    public async Task ABatchWithOneBadMessageAppliesTheOthersAndRecordsTheBadOneOnce()
    {
        var (topic, vendorId) = (NewTopic(), await AddVendorAsync());
        var ids = Enumerable.Range(0, 5).Select(_ => Ids.Next()).ToArray();
        var log = await LogAsync(topic, ids.Select((id, i) => Messenger(id, i == 2 ? int.MaxValue - 29 : vendorId)).ToArray());

        var consumed = await Batch(topic).ApplyAsync(log, 0);

        Assert.Equal([true, true, false, true, true], consumed.Select(m => m.Applied));
        Assert.Contains("vendor_id refers to vendor", consumed[2].Reason, StringComparison.Ordinal);
        await using var db = fixture.OpenDatabase();
        int[] good = [ids[0], ids[1], ids[3], ids[4]];
        Assert.Equal(good, await db.Messengers.Where(m => ids.Contains(m.Id)).OrderBy(m => m.Id).Select(m => m.Id).ToListAsync());
        Assert.Equal([3L], await db.Set<TopicFailure>().Where(f => f.Topic == topic).Select(f => f.Seq).ToListAsync());
        Assert.Equal(5, (await db.Set<TopicCheckpoint>().SingleAsync(c => c.Topic == topic)).Position);
        foreach (var id in good)
        {
            Assert.True(await fixture.Grains.RecordOwner<MessengerRecord>(id).ContainsAsync(id), $"messenger {id} is not in its owner's memory");
        }

        // The same batch again (a second activation, or a replay after a crash) finds the checkpoint moved: nothing twice.
        await Assert.ThrowsAsync<StaleWriteException>(() => Batch(topic).ApplyAsync(log, 0));
        await using var again = fixture.OpenDatabase();
        Assert.Equal(1, await again.Set<TopicFailure>().CountAsync(f => f.Topic == topic));
        Assert.Equal(4, await again.Messengers.CountAsync(m => ids.Contains(m.Id)));
    }

    [Fact]
    public async Task ABatchWhoseCommitLandedBeforeTheCheckpointWasSeenCountsItsRowsAsAppliedNotFailed()
    {
        var (topic, vendorId) = (NewTopic(), await AddVendorAsync());
        var ids = Enumerable.Range(0, 3).Select(_ => Ids.Next()).ToArray();
        var log = await LogAsync(topic, ids.Select(id => Messenger(id, vendorId)).ToArray());
        // The first messenger took effect before (the same data, stored through its owner).
        await fixture.Grains.RecordOwner<MessengerRecord>(ids[0]).AddAsync(Messenger(ids[0], vendorId));

        var consumed = await Batch(topic).ApplyAsync(log, 0);

        Assert.All(consumed, m => Assert.True(m.Applied, m.Reason));
        await using var db = fixture.OpenDatabase();
        Assert.Equal(3, await db.Messengers.CountAsync(m => ids.Contains(m.Id)));
        Assert.False(await db.Set<TopicFailure>().AnyAsync(f => f.Topic == topic));
    }

    [Fact]
    public async Task AMessageWhoseIdAnotherWriteHoldsWaitsAndIsAppliedOnceThatWriteLetsGo()
    {
        var (topic, vendorId) = (NewTopic(), await AddVendorAsync());
        var ids = new[] { Ids.Next(), Ids.Next() };
        var log = await LogAsync(topic, [.. ids.Select(id => Messenger(id, vendorId))]);
        var owner = fixture.Grains.RecordOwner<MessengerRecord>(ids[1]);
        var other = Guid.NewGuid();
        Assert.Equal([Reservation.Reserved], await owner.ReserveAsync([Messenger(ids[1], vendorId) with { Lastname = "Other" }], other));

        var first = await Batch(topic).ApplyAsync(log, 0);
        await Assert.ThrowsAsync<WriteInProgressException>(() => fixture.Grains.RecordOwner<MessengerRecord>(ids[1]).AddAsync(Messenger(ids[1], vendorId)));
        await owner.SettleAsync(other, [], outcomeKnown: true);
        var second = await Batch(topic).ApplyAsync(log[1..], 1);

        Assert.Equal([1L], first.Select(m => m.Sequence));
        Assert.Equal([2L], second.Select(m => m.Sequence));
        Assert.All(first.Concat(second), m => Assert.True(m.Applied, m.Reason));
        await using var db = fixture.OpenDatabase();
        Assert.False(await db.Set<TopicFailure>().AnyAsync(f => f.Topic == topic));
        Assert.Equal($"Messenger{ids[1]}", (await db.Messengers.SingleAsync(m => m.Id == ids[1])).Lastname);
    }

    private MessengerBatch Batch(string topic) =>
        new(fixture.Grains, fixture.Database, TimeProvider.System, topic, 0, NullLogger.Instance);

    /// <summary>Writes the messages as the log of partition 0 of <paramref name="topic"/>, with its checkpoint at 0.</summary>
    private async Task<TopicMessage[]> LogAsync(string topic, MessengerRecord[] messengers)
    {
        var log = messengers.Select((m, i) => new TopicMessage(topic, 0, i + 1, m.Id,
            System.Text.Json.JsonSerializer.Serialize(m, NewsstandJson.Options), DateTimeOffset.UtcNow, Guid.NewGuid().ToString("N"))).ToArray();
        await fixture.Database.WriteUnitAsync([.. log.Select(m => new WriteRow(m, EntityState.Added)), new WriteRow(new TopicCheckpoint(topic, 0, 0), EntityState.Added)]);
        return log;
    }

    private async Task<int> AddVendorAsync()
    {
        var (loginId, vendorId) = (Ids.Next(), Ids.Next());
        await fixture.Grains.LoginOwner(loginId).AddAsync(new NewLogin(loginId, $"user{loginId}", "pw", 1));
        await fixture.Grains.RecordOwner<VendorRecord>(vendorId).AddAsync(
            new VendorRecord(vendorId, "Rep", "Doe", "R", new DateOnly(2022, 1, 1), "Acct", "1", new DateOnly(2022, 2, 1), loginId));
        return vendorId;
    }

    private static MessengerRecord Messenger(int id, int vendorId) => new(id, "Max", $"Messenger{id}", 18000, new DateOnly(2021, 9, 1), 1, vendorId);

    private static string NewTopic() => "test-" + Guid.NewGuid().ToString("N")[..12];
}

[Collection(SqliteClusterDefinition.Name)]
public sealed class SqliteConsumerBatchTests(ClusterFixture fixture) : ConsumerBatchTests(fixture);

[Collection(PostgresClusterDefinition.Name)]
public sealed class PostgresConsumerBatchTests(PostgresFixture fixture) : ConsumerBatchTests(fixture);
