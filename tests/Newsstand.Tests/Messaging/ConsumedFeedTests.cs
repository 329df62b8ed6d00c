using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using Newsstand.Grains;
using Newsstand.Messaging;
using Newsstand.Records;
using Newsstand.Tests.Infrastructure;
using Orleans.Streams;
using Orleans.TestingHost;

namespace Newsstand.Tests.Messaging;

/// <summary>
/// The consumers publish to the live feed only while a reader has said it listens (the topic's <c>ListenAsync</c>, a
/// lease): a batch consumed with no lease running is not published, one consumed after the call is. A silo of its own,
/// so no other test's reader holds a lease.
/// </summary>
public sealed class ConsumedFeedTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "nsms-feed-" + Guid.NewGuid().ToString("N"));
    private TestCluster _cluster = null!;

    private IGrainFactory Grains => _cluster.Client;

    public async Task InitializeAsync() => _cluster = await NewsstandCluster.StartAsync(NewsstandCluster.Settings(_dataDirectory));

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task ABatchConsumedWhileNoReaderListensIsNotPublishedAndOneConsumedAfterAReaderSaidSoIs()
    {
        var loginId = Ids.Next();
        await Grains.LoginOwner(loginId).AddAsync(new NewLogin(loginId, $"user{loginId}", "pw", 1));
        var vendorId = Ids.Next();
        await Grains.RecordOwner<VendorRecord>(vendorId).AddAsync(
            new VendorRecord(vendorId, "Rep", "Doe", "R", new DateOnly(2022, 1, 1), "Acct", "1", new DateOnly(2022, 2, 1), loginId));
        var published = new ConcurrentQueue<(int Partition, long Sequence)>();
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var topic = Grains.MessengerTopic();
        var partitions = await topic.GetPartitionCountAsync();
        // Two messengers of one partition: their batches go through the same stream queue, in log order.
        var unheard = Ids.Next();
        var heard = unheard + partitions;
        var subscription = await _cluster.Client.GetStreamProvider(ProviderNames.Streams)
            .GetStream<ConsumedBatch>(StreamId.Create(ProviderNames.ConsumedMessages, Topics.News))
            .SubscribeAsync((batch, _) =>
            {
                foreach (var message in batch.Messages)
                {
                    published.Enqueue((batch.Partition, message.Sequence));
                }
                if (batch.Messages.Any(m => m.Json.Contains($"\"id\":{heard},", StringComparison.Ordinal)))
                {
                    arrived.TrySetResult();
                }
                return Task.CompletedTask;
            });
        try
        {
            var first = await topic.SendAsync(Messenger(unheard, vendorId));
            await Eventually.TrueAsync(async () => (await Grains.MessengerConsumer(first.Partition).GetProgressAsync()).Checkpoint >= first.Sequence);

            var progress = await topic.ListenAsync(TimeSpan.FromMinutes(1));
            Assert.True(progress[first.Partition].Checkpoint >= first.Sequence);
            var second = await topic.SendAsync(Messenger(heard, vendorId));
            await arrived.Task.WaitAsync(Patience);

            Assert.Equal(first.Partition, second.Partition);
            Assert.Contains((second.Partition, second.Sequence), published);
            Assert.DoesNotContain((first.Partition, first.Sequence), published);
        }
        finally
        {
            await subscription.UnsubscribeAsync();
        }
    }

    private static MessengerRecord Messenger(int id, int vendorId) => new(id, "Max", "Feed", 1000, new DateOnly(2021, 9, 1), 1, vendorId);
}
