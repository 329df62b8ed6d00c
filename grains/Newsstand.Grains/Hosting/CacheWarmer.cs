using Microsoft.Extensions.Logging;
using Newsstand.Grains;

namespace Newsstand.Hosting;

/// <summary>Activates every table owner once the silo is up, so the first request finds its table in memory.</summary>
internal sealed partial class CacheWarmer(IGrainFactory grains, ILogger<CacheWarmer> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(CacheWarmer), ServiceLifecycleStage.Active, WarmAsync);

    private async Task WarmAsync(CancellationToken cancellationToken)
    {
        IRowLookupGrain[] owners =
        [
            grains.GetGrain<ILoginTableGrain>(TableGrainKey.Value),
            grains.GetGrain<IAdminTableGrain>(TableGrainKey.Value),
            grains.GetGrain<IVendorTableGrain>(TableGrainKey.Value),
            grains.GetGrain<ICustomerTableGrain>(TableGrainKey.Value),
            grains.GetGrain<IBillingTableGrain>(TableGrainKey.Value),
            grains.GetGrain<IMessengerTableGrain>(TableGrainKey.Value),
            grains.GetGrain<IPublicationTableGrain>(TableGrainKey.Value),
            grains.GetGrain<IContentTableGrain>(TableGrainKey.Value),
            grains.GetGrain<ISalesTableGrain>(TableGrainKey.Value),
            grains.GetGrain<ISubscriptionTableGrain>(TableGrainKey.Value),
        ];
        await Task.WhenAll(owners.Select(owner => owner.ContainsAsync(0))).WaitAsync(cancellationToken);
        LogWarmed(owners.Length);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Warmed {Count} table caches.")]
    private partial void LogWarmed(int count);
}
