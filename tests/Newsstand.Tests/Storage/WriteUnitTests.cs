using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Newsstand.Data;
using Newsstand.Errors;
using Newsstand.Grains;
using Newsstand.Messaging;
using Newsstand.Records;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Storage;

/// <summary>Write units of the group-commit writer (several rows, all or none; conditional replacements), on SQLite and PostgreSQL.</summary>
public abstract class WriteUnitTests(IStorageFixture fixture)
{
    [Fact]
    public async Task AUnitCommitsAllItsRowsOrNone()
    {
        var loginId = await AddLoginAsync();
        var (good, orphan, other) = (Vendor(Ids.Next(), loginId), Vendor(Ids.Next(), int.MaxValue - 13), Vendor(Ids.Next(), loginId));

        var missing = await Assert.ThrowsAsync<MissingReferenceException>(() =>
            fixture.Database.WriteUnitAsync(Added(orphan), Added(good)));
        await fixture.Database.WriteUnitAsync(Added(other), Added(new TopicCheckpoint(NewTopic(), 0, 0)));

        Assert.Equal([new MissingReference("login_id", "login", int.MaxValue - 13)], missing.References);
        await using var db = fixture.OpenDatabase();
        Assert.Equal([other.Id], await db.Vendors.Where(v => v.Id == good.Id || v.Id == orphan.Id || v.Id == other.Id).Select(v => v.Id).ToListAsync());
    }

    [Fact]
    public async Task UnitsOfOneGroupCommitFailOneByOne()
    {
        var loginId = await AddLoginAsync();
        var (topic, stored) = (NewTopic(), Vendor(Ids.Next(), loginId));
        await fixture.Grains.RecordOwner<VendorRecord>(stored.Id).AddAsync(stored);
        var gate = new GatedScheduler();
        await using var writer = Writer(gate);
        var first = new[] { Vendor(Ids.Next(), loginId), Vendor(Ids.Next(), loginId) };
        var last = new[] { Vendor(Ids.Next(), loginId), Vendor(Ids.Next(), loginId) };
        var halfBad = Vendor(Ids.Next(), loginId);

        // Queued while the writer is held, so the four units land in one batch.
        Task[] writes =
        [
            writer.WriteUnitAsync([Added(first[0]), Added(first[1]), Added(new TopicCheckpoint(topic, 0, 0))]),
            writer.WriteUnitAsync([Added(stored with { AccountName = "twin" }), Added(halfBad)]),
            writer.WriteUnitAsync([Added(last[0]), Added(new TopicCheckpoint(topic, 1, 0))]),
            writer.WriteUnitAsync([Added(last[1])]),
        ];
        gate.Open();

        await writes[0];
        Assert.Equal("id", (await Assert.ThrowsAsync<RecordConflictException>(() => writes[1])).Field);
        await writes[2];
        await writes[3];
        await using var db = fixture.OpenDatabase();
        int[] ids = [first[0].Id, first[1].Id, halfBad.Id, last[0].Id, last[1].Id];
        Assert.Equal([first[0].Id, first[1].Id, last[0].Id, last[1].Id], await db.Vendors.Where(v => ids.Contains(v.Id)).OrderBy(v => v.Id).Select(v => v.Id).ToListAsync());
        Assert.Equal(2, await db.Set<TopicCheckpoint>().CountAsync(c => c.Topic == topic));
    }

    [Fact]
    public async Task AConditionalRowCommitsOnlyOverTheRowItExpects()
    {
        var loginId = await AddLoginAsync();
        var topic = NewTopic();
        await fixture.Database.InsertAsync(new TopicCheckpoint(topic, 0, 5));
        var (winner, loser) = (Vendor(Ids.Next(), loginId), Vendor(Ids.Next(), loginId));

        await fixture.Grains.RecordOwner<VendorRecord>(winner.Id).AddWithCompanionAsync(winner,
            new CompanionRow(new TopicCheckpoint(topic, 0, 6), new TopicCheckpoint(topic, 0, 5)));
        await Assert.ThrowsAsync<StaleWriteException>(() => fixture.Grains.RecordOwner<VendorRecord>(loser.Id).AddWithCompanionAsync(loser,
            new CompanionRow(new TopicCheckpoint(topic, 0, 7), new TopicCheckpoint(topic, 0, 5))));

        await using var db = fixture.OpenDatabase();
        Assert.Equal(6, (await db.Set<TopicCheckpoint>().SingleAsync(c => c.Topic == topic)).Position);
        Assert.Equal([winner.Id], await db.Vendors.Where(v => v.Id == winner.Id || v.Id == loser.Id).Select(v => v.Id).ToListAsync());
        Assert.False(await fixture.Grains.RecordOwner<VendorRecord>(loser.Id).ContainsAsync(loser.Id));
        Assert.True(await fixture.Grains.RecordOwner<VendorRecord>(winner.Id).ContainsAsync(winner.Id));
    }

    [Fact]
    public async Task ChainedConditionalUnitsInOneGroupCommitEachSeeTheOneBefore()
    {
        var topic = NewTopic();
        await fixture.Database.InsertAsync(new TopicCheckpoint(topic, 0, 0));
        var gate = new GatedScheduler();
        await using var writer = Writer(gate);

        Task[] writes =
        [
            writer.WriteUnitAsync([Advance(topic, 0, 1)]),
            writer.WriteUnitAsync([Advance(topic, 1, 2)]),
            writer.WriteUnitAsync([Advance(topic, 0, 3)]),
        ];
        gate.Open();

        await writes[0];
        await writes[1];
        await Assert.ThrowsAsync<StaleWriteException>(() => writes[2]);
        await using var db = fixture.OpenDatabase();
        Assert.Equal(2, (await db.Set<TopicCheckpoint>().SingleAsync(c => c.Topic == topic)).Position);
    }

    [Fact]
    public async Task AnOptionalRowThatBreaksAConstraintIsReplacedByItsFallbackAndTheRestOfItsUnitCommits()
    {
        var loginId = await AddLoginAsync();
        var topic = NewTopic();
        await fixture.Database.InsertAsync(new TopicCheckpoint(topic, 0, 0));
        var (good, orphan) = (Vendor(Ids.Next(), loginId), Vendor(Ids.Next(), int.MaxValue - 31));
        string? reason = null;

        await fixture.Database.WriteUnitAsync(Added(good), Optional(orphan, topic, 2, r => reason = r), Advance(topic, 0, 2));

        Assert.Contains("login_id refers to login", reason, StringComparison.Ordinal);
        await using var db = fixture.OpenDatabase();
        Assert.Equal([good.Id], await db.Vendors.Where(v => v.Id == good.Id || v.Id == orphan.Id).Select(v => v.Id).ToListAsync());
        Assert.Equal(reason, (await db.Set<TopicFailure>().SingleAsync(f => f.Topic == topic)).Reason);
        Assert.Equal(2, (await db.Set<TopicCheckpoint>().SingleAsync(c => c.Topic == topic)).Position);
    }

    [Fact]
    public async Task AUnitWhoseRequiredRowFailsLeavesNoneOfItsRowsNorItsFallbacks()
    {
        var loginId = await AddLoginAsync();
        var topic = NewTopic();
        await fixture.Database.InsertAsync(new TopicCheckpoint(topic, 0, 5));
        var (good, orphan) = (Vendor(Ids.Next(), loginId), Vendor(Ids.Next(), int.MaxValue - 37));

        await Assert.ThrowsAsync<StaleWriteException>(() => fixture.Database.WriteUnitAsync(Added(good), Optional(orphan, topic, 2, _ => { }), Advance(topic, 0, 2)));

        await using var db = fixture.OpenDatabase();
        Assert.False(await db.Vendors.AnyAsync(v => v.Id == good.Id || v.Id == orphan.Id));
        Assert.False(await db.Set<TopicFailure>().AnyAsync(f => f.Topic == topic));
        Assert.Equal(5, (await db.Set<TopicCheckpoint>().SingleAsync(c => c.Topic == topic)).Position);
    }

    /// <summary>An insert that, if it breaks a constraint, becomes a failure record of message <paramref name="seq"/> of <paramref name="topic"/>.</summary>
    private static WriteRow Optional(object row, string topic, long seq, Action<string> failed) => new(row, EntityState.Added, Fallback: error =>
    {
        failed(error.Message);
        return new TopicFailure(topic, 0, seq, error.Message, DateTimeOffset.UtcNow);
    });

    private static WriteRow Added(object row) => new(row, EntityState.Added);

    private static WriteRow Advance(string topic, long from, long to) =>
        new(new TopicCheckpoint(topic, 0, to), EntityState.Modified, new TopicCheckpoint(topic, 0, from));

    private static string NewTopic() => "test-" + Guid.NewGuid().ToString("N")[..12];

    private GroupCommitWriter Writer(TaskScheduler scheduler) =>
        new(fixture.Database.CreateContext, fixture.Database.Catalog, fixture.Database.Inserter, fixture.Database.Updater, new DatabaseOptions(), scheduler, NullLogger.Instance,
            new System.Diagnostics.Metrics.Meter("test.write-units"));

    private async Task<int> AddLoginAsync()
    {
        var loginId = Ids.Next();
        await fixture.Grains.LoginOwner(loginId).AddAsync(new NewLogin(loginId, $"user{loginId}", "pw", 1));
        return loginId;
    }

    private static VendorRecord Vendor(int id, int loginId) =>
        new(id, "Rep", "Doe", $"R{id}", new DateOnly(2022, 1, 1), $"Acct{id}", $"{id:D8}", new DateOnly(2022, 2, 1), loginId);
}

[Collection(SqliteClusterDefinition.Name)]
public sealed class SqliteWriteUnitTests(ClusterFixture fixture) : WriteUnitTests(fixture);

[Collection(PostgresClusterDefinition.Name)]
public sealed class PostgresWriteUnitTests(PostgresFixture fixture) : WriteUnitTests(fixture);
