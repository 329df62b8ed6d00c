using Newsstand.Grains;
using Newsstand.Messaging;

namespace Newsstand.Client.Apis;

/// <summary>
/// Finds the partition grain of a message key, so that a send is one grain call. The partition count is asked of the
/// cluster once (the silos agree on it; a change of it needs a restart of the web clients, see TopicOptions).
/// </summary>
internal sealed class TopicPartitions(IGrainFactory grains)
{
    private int _count;

    public async ValueTask<ITopicPartitionGrain> OfAsync(string topic, int key)
    {
        var count = Volatile.Read(ref _count);
        if (count == 0)
        {
            count = await grains.MessengerTopic().GetPartitionCountAsync();
            Volatile.Write(ref _count, count);
        }
        return grains.TopicPartition(topic, Topics.PartitionOf(key, count));
    }
}
