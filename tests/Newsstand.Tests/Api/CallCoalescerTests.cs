using Newsstand.Api.Apis;

namespace Newsstand.Tests.Api;

/// <summary>
/// The coalescer behind whole-list reads: calls made while one is under way share the next call, and each caller gets
/// its own item's answer (or the shared call's failure), however the answers are handed out across the cores.
/// </summary>
public sealed class CallCoalescerTests
{
    [Fact]
    public async Task CallersWaitingForACallShareTheNextAndEachGetsItsOwnAnswer()
    {
        var first = new TaskCompletionSource();
        var sent = new List<int[]>();
        var coalescer = new CallCoalescer<int, string>(async items =>
        {
            lock (sent)
            {
                sent.Add(items);
            }
            if (items.Contains(0))
            {
                await first.Task;
            }
            return [.. items.Select(item => $"answer {item}")];
        }, maxBatch: 1000);

        var calls = Enumerable.Range(0, 101).Select(coalescer.CallAsync).ToList();
        Assert.False(calls[1].IsCompleted);
        first.SetResult();
        var answers = await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(Enumerable.Range(0, 101).Select(item => $"answer {item}"), answers);
        Assert.Equal(2, sent.Count);
        Assert.Equal([0], sent[0]);
        Assert.Equal(Enumerable.Range(1, 100), sent[1]);
    }

    [Fact]
    public async Task EveryCallerOfAFailedCallGetsItsFailureAndTheNextCallIsMadeAfresh()
    {
        var first = new TaskCompletionSource();
        var failing = true;
        var coalescer = new CallCoalescer<int, int>(async items =>
        {
            if (items.Contains(0))
            {
                await first.Task;
                return [.. items];
            }
            await Task.Yield();
            if (failing)
            {
                throw new InvalidOperationException("the call failed");
            }
            return [.. items];
        }, maxBatch: 1000);

        var held = coalescer.CallAsync(0);
        var shared = Enumerable.Range(1, 20).Select(coalescer.CallAsync).ToList();
        first.SetResult();
        Assert.Equal(0, await held);
        foreach (var call in shared)
        {
            var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => call.WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.Equal("the call failed", failure.Message);
        }

        failing = false;
        Assert.Equal(21, await coalescer.CallAsync(21).WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
