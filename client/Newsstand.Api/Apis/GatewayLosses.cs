using Microsoft.Extensions.Options;
using Newsstand.Api.Hosting;

namespace Newsstand.Api.Apis;

/// <summary>
/// The web client's gateway connections closing, as Orleans reports them (registered as the client's
/// <see cref="IClusterConnectionStatusObserver"/>; a silo serving the API itself has no gateway and never reports one).
/// Orleans leaves a call that was under way over a connection that closed waiting for its response timeout, and says
/// only how many gateways remain, not which calls went where: so a read attempt is given up as soon as any gateway
/// connection closes (<see cref="AttemptAsync"/>) and sent again. A killed silo's socket closes at once; the reads
/// that went to a live gateway but to a grain on the dead silo are caught too, their answer never comes either.
/// Until membership declares the silo dead, attempts sent after the loss can still go unanswered (a live gateway forwards
/// them to the dead silo and no silo fails them when the death is declared): right after a loss an attempt is given up
/// after <see cref="ReadRetryOptions.AttemptTimeoutAfterGatewayLoss"/>, growing back (with the square of the time since
/// the loss) to <see cref="ReadRetryOptions.AttemptTimeout"/> over <see cref="ReadRetryOptions.RetryFor"/> (<see cref="AttemptTimeout"/>),
/// so a read stuck that way is sent again soon, and one that is merely slow gets its full time again before its retries run out.
/// </summary>
internal sealed class GatewayLosses(IOptions<ReadRetryOptions> options, TimeProvider time) : IClusterConnectionStatusObserver, IDisposable
{
    // Replaced at each loss; the one replaced is left to the collector (attempts may still read its token): it holds
    // no timer, nothing but memory.
    private CancellationTokenSource _nextLoss = new();

    // When the last loss was (a timestamp of time); 0: none yet.
    private long _lastLoss;

    /// <summary>
    /// <paramref name="call"/>, given up after <see cref="AttemptTimeout"/> (<see cref="TimeoutException"/>), when a gateway
    /// connection closes before it answers (<see cref="GatewayLostException"/>), or when <paramref name="aborted"/> fires.
    /// </summary>
    public async Task<TResult> AttemptAsync<TResult>(Func<Task<TResult>> call, CancellationToken aborted)
    {
        var lost = Volatile.Read(ref _nextLoss).Token;
        var answer = call();
        if (answer.IsCompleted)
        {
            // Answered at once (a whole list the silo serving the API holds): nothing to give up, no token to link.
            return await answer;
        }
        using var linked = aborted.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(aborted, lost) : null;
        try
        {
            return await answer.WaitAsync(AttemptTimeout(), time, linked?.Token ?? lost);
        }
        catch (OperationCanceledException) when (lost.IsCancellationRequested && !aborted.IsCancellationRequested)
        {
            throw new GatewayLostException();
        }
    }

    /// <summary>
    /// How long an attempt starting now may take: <see cref="ReadRetryOptions.AttemptTimeout"/>, but
    /// <see cref="ReadRetryOptions.AttemptTimeoutAfterGatewayLoss"/> right after a gateway connection closed, growing back
    /// with the square of the time since to <see cref="ReadRetryOptions.AttemptTimeout"/> over <see cref="ReadRetryOptions.RetryFor"/>.
    /// </summary>
    public TimeSpan AttemptTimeout()
    {
        var settings = options.Value;
        var lastLoss = Volatile.Read(ref _lastLoss);
        var sinceLoss = lastLoss == 0 ? TimeSpan.MaxValue : time.GetElapsedTime(lastLoss);
        if (sinceLoss >= settings.RetryFor)
        {
            return settings.AttemptTimeout;
        }
        // Slowly at first: membership takes seconds to declare a killed silo dead, and attempts stuck on it until then
        // should still be sent again soon; a slow read's attempts get most of their time back later.
        var first = TimeSpan.FromTicks(Math.Min(settings.AttemptTimeoutAfterGatewayLoss.Ticks, settings.AttemptTimeout.Ticks));
        var growth = sinceLoss / settings.RetryFor;
        return first + (settings.AttemptTimeout - first) * (growth * growth);
    }

    public void NotifyGatewayCountChanged(int currentNumberOfGateways, int previousNumberOfGateways, bool connectionRecovered)
    {
        if (currentNumberOfGateways < previousNumberOfGateways)
        {
            Volatile.Write(ref _lastLoss, time.GetTimestamp());
            // Orleans reports from the connection's own loop: the given-up reads continue on the thread pool.
            _ = Interlocked.Exchange(ref _nextLoss, new CancellationTokenSource()).CancelAsync();
        }
    }

    // The last connection's loss is also reported as a count going down.
    public void NotifyClusterConnectionLost()
    {
    }

    public void Dispose() => _nextLoss.Dispose();
}
