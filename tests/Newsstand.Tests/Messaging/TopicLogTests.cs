using Microsoft.EntityFrameworkCore;
using Newsstand.Data;
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

    private static string NewTopic() => "test-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>A partition log driven one task at a time, like a grain activation's turns.</summary>
    private sealed class ActivationLike(NewsstandDb db, string topic)
    {
        private readonly TaskScheduler _turns = new ConcurrentExclusiveSchedulerPair().ExclusiveScheduler;
        private readonly TopicPartitionLog _log = new(new TopicLogStore(db), db, topic, 0, new TopicPartitionLog.Limits(7, 1000, TimeSpan.FromSeconds(10)),
            TimeProvider.System);

        public Task<long> AppendAsync(int key, string json, string? messageId = null) =>
            Task.Factory.StartNew(() => _log.AppendAsync(key, json, messageId ?? Guid.NewGuid().ToString("N")), CancellationToken.None,
                TaskCreationOptions.None, _turns).Unwrap();
    }
}

[Collection(SqliteClusterDefinition.Name)]
public sealed class SqliteTopicLogTests(ClusterFixture fixture) : TopicLogTests(fixture);

[Collection(PostgresClusterDefinition.Name)]
public sealed class PostgresTopicLogTests(PostgresFixture fixture) : TopicLogTests(fixture);
