using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Newsstand.Api.Apis;
using Newsstand.Api.Hosting;

namespace Newsstand.Tests.Api;

/// <summary>
/// The attempt timeout around a gateway loss: full before any loss, short right after one (an attempt a live gateway
/// forwarded to the dead silo is sent again soon), growing back (slowly at first) to full over <c>Reads__RetryFor</c> (a read that is merely
/// slow gets its full time again before its retries run out).
/// </summary>
public sealed class GatewayLossesTests
{
    private static readonly ReadRetryOptions Settings = new()
    {
        AttemptTimeout = TimeSpan.FromSeconds(2),
        AttemptTimeoutAfterGatewayLoss = TimeSpan.FromMilliseconds(250),
        RetryFor = TimeSpan.FromSeconds(10),
    };

    [Fact]
    public void AnAttemptGetsTheShortTimeoutRightAfterALossAndTheFullOneAgainAfterRetryFor()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var losses = new GatewayLosses(Options.Create(Settings), time);
        Assert.Equal(TimeSpan.FromSeconds(2), losses.AttemptTimeout());

        losses.NotifyGatewayCountChanged(currentNumberOfGateways: 2, previousNumberOfGateways: 3, connectionRecovered: false);
        Assert.Equal(TimeSpan.FromMilliseconds(250), losses.AttemptTimeout());
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.FromMilliseconds(267.5), losses.AttemptTimeout());
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(TimeSpan.FromMilliseconds(687.5), losses.AttemptTimeout());
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(TimeSpan.FromSeconds(2), losses.AttemptTimeout());

        // A gateway coming back is no loss.
        losses.NotifyGatewayCountChanged(currentNumberOfGateways: 3, previousNumberOfGateways: 2, connectionRecovered: true);
        Assert.Equal(TimeSpan.FromSeconds(2), losses.AttemptTimeout());
    }

    [Fact]
    public async Task AnAttemptStuckRightAfterALossIsGivenUpAfterTheShortTimeout()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var losses = new GatewayLosses(Options.Create(Settings), time);
        losses.NotifyGatewayCountChanged(currentNumberOfGateways: 2, previousNumberOfGateways: 3, connectionRecovered: false);
        var never = new TaskCompletionSource<int>();

        var attempt = losses.AttemptAsync(() => never.Task, CancellationToken.None);
        time.Advance(TimeSpan.FromMilliseconds(249));
        Assert.False(attempt.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await Assert.ThrowsAsync<TimeoutException>(() => attempt);
    }
}
