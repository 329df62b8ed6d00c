using Newsstand.Messaging;

namespace Newsstand.Tests.Messaging;

/// <summary>
/// The run of handed messages a consumer keeps in memory: it answers only what continues exactly where the checkpoint
/// stands, so anything it lacks (a lost, late or oversized wake-up) is read from the log instead.
/// </summary>
public sealed class ArrivedMessagesTests
{
    [Fact]
    public void HandedMessagesAreAnsweredInBatchesFromTheCheckpointOn()
    {
        var arrived = new ArrivedMessages(capacity: 100);
        arrived.Add(Messages(1, 3));
        arrived.Add(Messages(4, 6));

        Assert.Equal([1L, 2L, 3L, 4L], arrived.After(0, 4).Select(m => m.Seq));
        Assert.Equal([5L, 6L], arrived.After(4, 4).Select(m => m.Seq));
        Assert.Empty(arrived.After(6, 4));
    }

    [Fact]
    public void ABatchThatIsRetriedIsAnsweredAgainUntilTheCheckpointPassesIt()
    {
        var arrived = new ArrivedMessages(capacity: 100);
        arrived.Add(Messages(1, 5));

        Assert.Equal([1L, 2L, 3L], arrived.After(0, 3).Select(m => m.Seq));
        Assert.Equal([1L, 2L, 3L], arrived.After(0, 3).Select(m => m.Seq));
        Assert.Equal([3L, 4L, 5L], arrived.After(2, 3).Select(m => m.Seq));
    }

    [Fact]
    public void NothingIsAnsweredWhenTheRunDoesNotHoldTheMessageAfterTheCheckpoint()
    {
        var arrived = new ArrivedMessages(capacity: 100);
        arrived.Add(Messages(5, 8));

        // Messages 1-4 were never handed (a lost wake-up, or appended before this activation): they are in the log only.
        Assert.Empty(arrived.After(0, 10));
        Assert.Equal([5L, 6L, 7L, 8L], arrived.After(4, 10).Select(m => m.Seq));
    }

    [Fact]
    public void AWakeUpThatDoesNotContinueTheRunStartsANewOne()
    {
        var arrived = new ArrivedMessages(capacity: 100);
        arrived.Add(Messages(1, 3));
        arrived.Add(Messages(7, 9));

        Assert.Empty(arrived.After(0, 10));
        Assert.Equal([7L, 8L, 9L], arrived.After(6, 10).Select(m => m.Seq));
    }

    [Fact]
    public void MessagesBeyondTheCapacityAreLeftToTheLog()
    {
        var arrived = new ArrivedMessages(capacity: 4);
        arrived.Add(Messages(1, 3));
        arrived.Add(Messages(4, 6));

        Assert.Equal([1L, 2L, 3L], arrived.After(0, 10).Select(m => m.Seq));
        Assert.Empty(arrived.After(3, 10));
    }

    private static TopicMessage[] Messages(long first, long last) =>
        [.. Enumerable.Range((int)first, (int)(last - first + 1)).Select(seq => new TopicMessage("arrived-test", 0, seq, seq, "{}", DateTimeOffset.UnixEpoch, $"m{seq}"))];
}
