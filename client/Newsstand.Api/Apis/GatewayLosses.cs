namespace Newsstand.Api.Apis;

/// <summary>
/// The web client's gateway connections closing, as Orleans reports them (registered as the client's
/// <see cref="IClusterConnectionStatusObserver"/>; a silo serving the API itself has no gateway and never reports one).
/// Orleans leaves a call that was under way over a connection that closed waiting for its response timeout, and says
/// only how many gateways remain, not which calls went where: so a read attempt is given up as soon as any gateway
/// connection closes (<see cref="AttemptAsync"/>) and sent again. A killed silo's socket closes at once; the reads
/// that went to a live gateway but to a grain on the dead silo are caught too, their answer never comes either.
/// </summary>
internal sealed class GatewayLosses(TimeProvider time) : IClusterConnectionStatusObserver, IDisposable
{
    // Replaced at each loss; the one replaced is left to the collector (attempts may still read its token): it holds
    // no timer, nothing but memory.
    private CancellationTokenSource _nextLoss = new();

    /// <summary>
    /// <paramref name="call"/>, given up after <paramref name="timeout"/> (<see cref="TimeoutException"/>), when a gateway
    /// connection closes before it answers (<see cref="GatewayLostException"/>), or when <paramref name="aborted"/> fires.
    /// </summary>
    public async Task<TResult> AttemptAsync<TResult>(Func<Task<TResult>> call, TimeSpan timeout, CancellationToken aborted)
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
            return await answer.WaitAsync(timeout, time, linked?.Token ?? lost);
        }
        catch (OperationCanceledException) when (lost.IsCancellationRequested && !aborted.IsCancellationRequested)
        {
            throw new GatewayLostException();
        }
    }

    public void NotifyGatewayCountChanged(int currentNumberOfGateways, int previousNumberOfGateways, bool connectionRecovered)
    {
        if (currentNumberOfGateways < previousNumberOfGateways)
        {
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
