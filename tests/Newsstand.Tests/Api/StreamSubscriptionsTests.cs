using Newsstand.Api.Streaming;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Api;

/// <summary>Orleans streams as push-channel subscriptions: in place when subscribing completes, gone when disposed.</summary>
[Collection(SqliteClusterDefinition.Name)]
public sealed class StreamSubscriptionsTests(ClusterFixture fixture)
{
    [Fact]
    public async Task ASubscriptionKeepsWhatIsPublishedAfterItIsInPlaceAndUnsubscribesOnDispose()
    {
        var id = StreamId.Create("test.subscriptions", Guid.NewGuid().ToString("N"));
        var stream = fixture.Cluster.Client.GetStreamProvider(ProviderNames.Streams).GetStream<int>(id);
        var subscriptions = new StreamSubscriptions(fixture.Cluster.Client);

        var subscription = await subscriptions.SubscribeAsync<int>(id, capacity: 8);
        await stream.OnNextAsync(1);
        await stream.OnNextAsync(2);
        var received = new List<int>();
        await foreach (var item in subscription.ReadAllAsync(CancellationToken.None))
        {
            received.Add(item);
            if (received.Count == 2)
            {
                break;
            }
        }
        Assert.Single(await stream.GetAllSubscriptionHandles());
        await subscription.DisposeAsync();
        await subscription.DisposeAsync();

        Assert.Equal([1, 2], received);
        Assert.Empty(await stream.GetAllSubscriptionHandles());
    }
}
