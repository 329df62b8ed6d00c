using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Newsstand.Tests.Infrastructure;

/// <summary>
/// Fake time for the grains of a test cluster that also tells the test when a timer with a due time was set
/// (a backoff delay, a wait), so the test moves the clock only once something waits on it, never by guessing.
/// </summary>
internal sealed class WatchedClock : TimeProvider
{
    private readonly Channel<TimeSpan> _dueTimes = Channel.CreateUnbounded<TimeSpan>();

    public FakeTimeProvider Fake { get; } = new(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public override DateTimeOffset GetUtcNow() => Fake.GetUtcNow();

    public override long GetTimestamp() => Fake.GetTimestamp();

    public override long TimestampFrequency => Fake.TimestampFrequency;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = Fake.CreateTimer(callback, state, dueTime, period);
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            _dueTimes.Writer.TryWrite(dueTime);
        }
        return timer;
    }

    /// <summary>Forgets the timers set so far (by earlier tests).</summary>
    public void Forget()
    {
        while (_dueTimes.Reader.TryRead(out _))
        {
        }
    }

    /// <summary>The due time of the next timer that is set (waits for it, at most 30 s, or until <paramref name="cancellationToken"/>).</summary>
    public async Task<TimeSpan> NextTimerAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        return await _dueTimes.Reader.ReadAsync(timeout.Token);
    }

    public void Advance(TimeSpan by) => Fake.Advance(by);
}
