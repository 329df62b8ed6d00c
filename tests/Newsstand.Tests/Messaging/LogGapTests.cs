using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Newsstand.Data;
using Newsstand.Grains;
using Newsstand.Messaging;
using Newsstand.Records;
using Newsstand.Tests.Infrastructure;
using Orleans.TestingHost;

namespace Newsstand.Tests.Messaging;

/// <summary>
/// A hole in a partition's log (the next sequence number after the checkpoint missing, a later one present): the consumer
/// waits for it with growing pauses, not in a tight loop of reads, applies nothing past it, and consumes both once the
/// hole is filled. A silo of its own: the test writes the log directly, which the shared clusters' partitions must not see.
/// </summary>
public sealed class LogGapTests : IAsyncLifetime
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "nsms-gap-" + Guid.NewGuid().ToString("N"));
    private TestCluster _cluster = null!;

    private IGrainFactory Grains => _cluster.Client;

    public async Task InitializeAsync() => _cluster = await NewsstandCluster.StartAsync(NewsstandCluster.Settings(_dataDirectory));

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task AGapInTheLogIsWaitedOutWithBackoffAndBothMessagesAreConsumedOnceItIsFilled()
    {
        var loginId = Ids.Next();
        await Grains.LoginOwner(loginId).AddAsync(new NewLogin(loginId, $"user{loginId}", "pw", 1));
        var vendorId = Ids.Next();
        await Grains.RecordOwner<VendorRecord>(vendorId).AddAsync(
            new VendorRecord(vendorId, "Rep", "Doe", "R", new DateOnly(2022, 1, 1), "Acct", "1", new DateOnly(2022, 2, 1), loginId));
        // Three messengers of one partition: the first appended as usual, the third written past a hole, the second filling it.
        var ids = SamePartition(Ids.Next(), 3);
        var partition = Topics.PartitionOf(ids[0], 4);
        var first = await Grains.TopicPartition(Topics.News, partition).AppendAsync(ids[0], Json(ids[0], vendorId), "gap-first");
        await Eventually.TrueAsync(async () => await MessengersAsync(ids[0]) == 1);

        long retries = 0;
        using var listener = ListenForRetries(partition, () => Interlocked.Increment(ref retries));
        await InsertAsync(partition, first.Sequence + 2, ids[2], vendorId);
        await Grains.MessengerConsumer(partition).EnsureRunningAsync();
        await Task.Delay(TimeSpan.FromSeconds(3));

        // A tight loop would have read the log hundreds of times by now; the back-off doubles from 200 ms.
        Assert.InRange(Interlocked.Read(ref retries), 1, 12);
        Assert.Equal(0, await MessengersAsync(ids[2]));
        Assert.Equal(first.Sequence, (await Grains.MessengerConsumer(partition).GetProgressAsync()).Checkpoint);

        await InsertAsync(partition, first.Sequence + 1, ids[1], vendorId);
        await Eventually.TrueAsync(async () => await MessengersAsync(ids[1]) == 1 && await MessengersAsync(ids[2]) == 1, TimeSpan.FromSeconds(60));
        Assert.Equal(first.Sequence + 2, (await Grains.MessengerConsumer(partition).GetProgressAsync()).Checkpoint);
    }

    private static int[] SamePartition(int start, int count) =>
        [.. Enumerable.Range(0, count).Select(i => start + (i * 4))];

    private static string Json(int id, int vendorId) =>
        JsonSerializer.Serialize(new MessengerRecord(id, "Max", "Gap", 1000, new DateOnly(2021, 9, 1), 1, vendorId), NewsstandJson.Options);

    private async Task InsertAsync(int partition, long sequence, int id, int vendorId)
    {
        await using var db = Database();
        db.Add(new TopicMessage(Topics.News, partition, sequence, id, Json(id, vendorId), DateTimeOffset.UtcNow, $"gap-{id}"));
        await db.SaveChangesAsync();
    }

    private async Task<int> MessengersAsync(int id)
    {
        await using var db = Database();
        return await db.Messengers.CountAsync(m => m.Id == id);
    }

    private NewsstandDbContext Database() =>
        _cluster.GetSiloServiceProvider(_cluster.Primary!.SiloAddress).GetRequiredService<NewsstandDb>().CreateContext();

    /// <summary>Retries of this silo's consumer of <paramref name="partition"/> (other tests' silos share the process, not the meter factory).</summary>
    private MeterListener ListenForRetries(int partition, Action retried)
    {
        var meters = _cluster.GetSiloServiceProvider(_cluster.Primary!.SiloAddress).GetRequiredService<IMeterFactory>();
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Scope == meters && instrument.Meter.Name == TopicMetrics.MeterName && instrument.Name == "newsstand.topic.retries")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "partition" && Convert.ToInt32(tag.Value, System.Globalization.CultureInfo.InvariantCulture) == partition)
                {
                    retried();
                }
            }
        });
        listener.Start();
        return listener;
    }
}
