namespace Newsstand.Hosting;

/// <summary>Cancelled as soon as the silo begins to stop: long-running grain work stops at its next step and leaves itself resumable.</summary>
internal sealed class SiloStopping : IDisposable
{
    private readonly CancellationTokenSource _stopping = new();

    public CancellationToken Token => _stopping.Token;

    public Task SignalAsync(CancellationToken cancellationToken) => _stopping.CancelAsync();

    public void Dispose() => _stopping.Dispose();
}
