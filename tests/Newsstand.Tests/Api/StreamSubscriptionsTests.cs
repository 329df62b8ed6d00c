using Microsoft.Extensions.Logging.Abstractions;
using Newsstand.Api.Streaming;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Api;

/// <summary>
/// Orleans streams as push-channel subscriptions: one Orleans subscription per stream for a whole web client,
/// fanned out to every reader; in place when subscribing completes, gone with the last reader.
/// </summary>
[Collection(SqliteClusterDefinition.Name)]
public sealed class StreamSubscriptionsTests(ClusterFixture fixture)
{
    [Fact]
    public async Task ASubscriptionKeepsWhatIsPublishedAfterItIsInPlaceAndUnsubscribesOnDispose()
    {
        var id = StreamId.Create("test.subscriptions", Guid.NewGuid().ToString("N"));
        var stream = fixture.Cluster.Client.GetStreamProvider(ProviderNames.Streams).GetStream<int>(id);
        using var subscriptions = new StreamSubscriptions(fixture.Cluster.Client, NullLogger<StreamSubscriptions>.Instance);

        var subscription = await subscriptions.SubscribeAsync<int>(id, capacity: 8);
        await stream.OnNextAsync(1);
        await stream.OnNextAsync(2);
        var received = await ReadAsync(subscription, 2);
        Assert.Single(await stream.GetAllSubscriptionHandles());
        await subscription.DisposeAsync();
        await subscription.DisposeAsync();

        Assert.Equal([1, 2], received);
        Assert.Empty(await stream.GetAllSubscriptionHandles());
    }

    [Fact]
    public async Task ReadersOfOneStreamShareOneSubscriptionAndASlowReaderIsCutOffAlone()
    {
        var id = StreamId.Create("test.subscriptions", Guid.NewGuid().ToString("N"));
        var stream = fixture.Cluster.Client.GetStreamProvider(ProviderNames.Streams).GetStream<int>(id);
        using var subscriptions = new StreamSubscriptions(fixture.Cluster.Client, NullLogger<StreamSubscriptions>.Instance);

        var fast = await subscriptions.SubscribeAsync<int>(id, capacity: 8);
        var slow = await subscriptions.SubscribeAsync<int>(id, capacity: 2);
        var handles = await stream.GetAllSubscriptionHandles();
        var held = subscriptions.Subscriptions;
        foreach (var item in new[] { 1, 2, 3, 4 })
        {
            await stream.OnNextAsync(item);
        }
        var fastItems = await ReadAsync(fast, 4);
        var slowItems = new List<int>();
        var cutOff = await Assert.ThrowsAsync<SlowReaderException>(async () =>
        {
            await foreach (var item in slow.Items.ReadAllAsync())
            {
                slowItems.Add(item);
            }
        });
        await slow.DisposeAsync();
        await stream.OnNextAsync(5);
        var afterCut = await ReadAsync(fast, 1);
        var stillSubscribed = await stream.GetAllSubscriptionHandles();
        await fast.DisposeAsync();

        Assert.Single(handles);
        Assert.Equal(1, held);
        Assert.Equal([1, 2, 3, 4], fastItems);
        Assert.Equal([1, 2], slowItems);
        Assert.Contains("2 items behind", cutOff.Message, StringComparison.Ordinal);
        Assert.Equal([5], afterCut);
        Assert.Single(stillSubscribed);
        Assert.Equal(0, subscriptions.Subscriptions);
        Assert.Empty(await stream.GetAllSubscriptionHandles());
    }

    private static async Task<List<int>> ReadAsync(StreamSubscription<int> subscription, int count)
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var received = new List<int>();
        await foreach (var item in subscription.Items.ReadAllAsync(patience.Token))
        {
            received.Add(item);
            if (received.Count == count)
            {
                break;
            }
        }
        return received;
    }
}
