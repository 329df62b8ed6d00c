using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using Newsstand.Data;
using Newsstand.Errors;
using Newsstand.Grains;
using Newsstand.Messaging;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Messaging;

/// <summary>The partition log's numbering, on SQLite and PostgreSQL: consecutive, committed before acknowledged, safe with two writers.</summary>
public abstract class TopicLogTests(IStorageFixture fixture)
{
    [Fact]
    public async Task AnAppendIsInTheLogWhenItIsAcknowledged()
    {
        var topic = NewTopic();
        var partition = fixture.Grains.TopicPartition(topic, 2);

        var positions = await Task.WhenAll(Enumerable.Range(1, 20).Select(i => partition.AppendAsync(i, $"{{\"n\":{i}}}", null)));

        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), positions.Select(p => p.Sequence).Order());
        await using var db = fixture.OpenDatabase();
        var stored = await db.Set<TopicMessage>().Where(m => m.Topic == topic).ToListAsync();
        Assert.All(positions, p => Assert.Contains(stored, m => m.Partition == 2 && m.Seq == p.Sequence));
        Assert.Equal(20, await partition.GetLastSequenceAsync());
    }

    [Fact]
    public async Task TheAppendsOfOneCallCommitAsOneUnit()
    {
        var topic = NewTopic();
        var partition = fixture.Grains.TopicPartition(topic, 3);

        var outcomes = await partition.AppendManyAsync([.. Enumerable.Range(1, 6).Select(i => new TopicAppend(i, $"{{\"n\":{i}}}", null))]);

        Assert.Equal(Enumerable.Range(1, 6).Select(i => (long)i), outcomes.Select(o => o.Sequence));
        // A unit's messages share the time the log received them; the first alone in a commit of its own got an earlier one.
        await using var db = fixture.OpenDatabase();
        var received = await db.Set<TopicMessage>().Where(m => m.Topic == topic).Select(m => m.ReceivedAt).ToListAsync();
        Assert.Equal(6, received.Count);
        Assert.Single(received.Distinct());
    }

    [Fact]
    public async Task MessagesSentWithoutAnIdGetIdsInTheOrderTheyWereAppended()
    {
        var topic = NewTopic();
        var partition = fixture.Grains.TopicPartition(topic, 1);

        for (var i = 1; i <= 12; i++)
        {
            await partition.AppendAsync(i, $"{{\"n\":{i}}}", null);
        }

        // The log's unique index on message ids takes them at its end (a random id went to a random page of it).
        await using var db = fixture.OpenDatabase();
        var ids = await db.Set<TopicMessage>().Where(m => m.Topic == topic).OrderBy(m => m.Seq).Select(m => m.MessageId).ToListAsync();
        Assert.Equal(12, ids.Distinct().Count());
        var times = ids.Select(id => id[..12]).ToList(); // a version-7 id's text starts with its millisecond
        Assert.Equal(times.Order(StringComparer.Ordinal), times);
    }

    [Fact]
    public async Task TwoWritersOfOnePartitionNeverShareOrSkipASequenceNumber()
    {
        var topic = NewTopic();
        // Two activations of one partition, as during a membership change: each numbers from what it last saw.
        var (first, second) = (new ActivationLike(fixture.Database, topic), new ActivationLike(fixture.Database, topic));
        await first.AppendAsync(0, "warm-up");
        await second.AppendAsync(0, "warm-up");

        var appends = Enumerable.Range(1, 60).Select(i => (i % 2 == 0 ? first : second).AppendAsync(i, $"{{\"n\":{i}}}")).ToArray();
        var sequences = await Task.WhenAll(appends);

        await using var db = fixture.OpenDatabase();
        var log = await db.Set<TopicMessage>().Where(m => m.Topic == topic).OrderBy(m => m.Seq).ToListAsync();
        Assert.Equal(Enumerable.Range(1, 62).Select(i => (long)i), log.Select(m => m.Seq));
        Assert.Equal(60, sequences.Distinct().Count());
        for (var i = 0; i < appends.Length; i++)
        {
            Assert.Equal(i + 1, log.Single(m => m.Seq == sequences[i]).Key);
        }
    }

    [Fact]
    public async Task AppendsFromManySendersToOnePartitionKeepConsecutiveSequenceNumbersInAcknowledgedOrder()
    {
        var topic = NewTopic();
        var partition = fixture.Grains.TopicPartition(topic, 1);

        // Single appends and gathered ones (as web clients send them), all at once.
        var singles = Enumerable.Range(1, 40).Select(i => partition.AppendAsync(i, $"{{\"n\":{i}}}", $"single-{i}")).ToArray();
        var gathered = Enumerable.Range(0, 8).Select(s => partition.AppendManyAsync(
            [.. Enumerable.Range(0, 20).Select(i => new TopicAppend(1000 + (s * 20) + i, $"{{\"s\":{s},\"i\":{i}}}", $"gathered-{s}-{i}"))])).ToArray();
        var positions = await Task.WhenAll(singles);
        var outcomes = await Task.WhenAll(gathered);

        Assert.All(outcomes.SelectMany(o => o), o => Assert.Null(o.Error));
        long[] acknowledged = [.. positions.Select(p => p.Sequence), .. outcomes.SelectMany(o => o).Select(o => o.Sequence)];
        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), acknowledged.Order());
        foreach (var batch in outcomes)
        {
            // Within one call the messages keep their order in the log.
            Assert.Equal(batch.Select(o => o.Sequence).Order(), batch.Select(o => o.Sequence));
        }
        await using var db = fixture.OpenDatabase();
        var log = await db.Set<TopicMessage>().Where(m => m.Topic == topic).OrderBy(m => m.Seq).ToListAsync();
        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), log.Select(m => m.Seq));
        Assert.Equal(positions.Select(p => p.Sequence), Enumerable.Range(1, 40).Select(i => log.Single(m => m.MessageId == $"single-{i}").Seq));
    }

    [Fact]
    public async Task AnAppendReplayedWithItsMessageIdIsAnsweredWithTheFirstPositionAndStoredOnce()
    {
        var topic = NewTopic();
        var partition = fixture.Grains.TopicPartition(topic, 0);
        var first = await partition.AppendAsync(7, "{\"n\":1}", "client-key-1");
        await partition.AppendAsync(8, "{\"n\":2}", null);

        var replay = await partition.AppendAsync(7, "{\"n\":1}", "client-key-1");
        var fresh = new ActivationLike(fixture.Database, topic);
        var replayElsewhere = await fresh.AppendAsync(7, "{\"n\":1}", "client-key-1");

        Assert.Equal(first, replay);
        Assert.Equal(first.Sequence, replayElsewhere);
        await using var db = fixture.OpenDatabase();
        Assert.Equal(1, await db.Set<TopicMessage>().CountAsync(m => m.Topic == topic && m.MessageId == "client-key-1"));
        Assert.Equal(2, await db.Set<TopicMessage>().CountAsync(m => m.Topic == topic));
    }

    [Fact]
    public async Task AFullAppendQueueRefusesAtOnceAndAnAppendThatWaitedTooLongIsNeverCommitted()
    {
        var topic = NewTopic();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var log = new ActivationLike(fixture.Database, topic, new TopicPartitionLog.Limits(1, 2, TimeSpan.FromSeconds(10)), time);

        // In one turn: the first append goes to the writer, two wait, a fourth finds the queue full; then time passes.
        var (appends, refused) = await log.InOneTurnAsync(append =>
        {
            Task<long>[] started = [append(1), append(2), append(3)];
            var full = Assert.Throws<OverloadedException>(() => { _ = append(4); });
            time.Advance(TimeSpan.FromSeconds(11));
            return (started, full);
        });

        Assert.Equal(1, await appends[0]);
        await Assert.ThrowsAsync<OverloadedException>(() => appends[1]);
        await Assert.ThrowsAsync<OverloadedException>(() => appends[2]);
        Assert.Contains("lane is full", refused.Message, StringComparison.Ordinal);
        await using var db = fixture.OpenDatabase();
        Assert.Equal([1], await db.Set<TopicMessage>().Where(m => m.Topic == topic).Select(m => m.Key).ToListAsync());
    }

    private static string NewTopic() => "test-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>A partition log driven one task at a time, like a grain activation's turns.</summary>
    private sealed class ActivationLike(NewsstandDb db, string topic, TopicPartitionLog.Limits? limits = null, TimeProvider? time = null)
    {
        private readonly TaskScheduler _turns = new ConcurrentExclusiveSchedulerPair().ExclusiveScheduler;
        private readonly TopicPartitionLog _log = new(new TopicLogStore(db), db, topic, 0,
            limits ?? new TopicPartitionLog.Limits(7, 1000, TimeSpan.FromSeconds(10)), time ?? TimeProvider.System);

        public Task<long> AppendAsync(int key, string json, string? messageId = null) =>
            InOneTurnAsync(append => _log.AppendAsync(key, json, messageId ?? Guid.NewGuid().ToString("N"))).Unwrap();

        /// <summary>Runs <paramref name="turn"/> as one turn, with appends that take only a key.</summary>
        public Task<T> InOneTurnAsync<T>(Func<Func<int, Task<long>>, T> turn) =>
            Task.Factory.StartNew(() => turn(key => _log.AppendAsync(key, $"{{\"k\":{key}}}", Guid.NewGuid().ToString("N"))),
                CancellationToken.None, TaskCreationOptions.None, _turns);
    }
}

[Collection(SqliteClusterDefinition.Name)]
public sealed class SqliteTopicLogTests(ClusterFixture fixture) : TopicLogTests(fixture);

[Collection(PostgresClusterDefinition.Name)]
public sealed class PostgresTopicLogTests(PostgresFixture fixture) : TopicLogTests(fixture);
