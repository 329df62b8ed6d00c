using System.Collections.Concurrent;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Newsstand.Data;
using Newsstand.Workloads;
using Orleans.TestingHost;

namespace Newsstand.Tests.Infrastructure;

/// <summary>
/// A cluster for time-driven workloads: its grains' clock (Orleans' <c>TimeProviderNames.Grains</c>, which drives
/// grain timers and which the workloads take their time from) is fake and moved by the tests, while Orleans'
/// own clocks (messaging, membership, activation collection) stay real. Its billing ledger injects faults on
/// request. Tests here may restart the silo: the clock and the database outlive it.
/// </summary>
public sealed class FakeTimeClusterFixture : NewsstandClusterFixture
{
    private const string ClockSetting = "Tests:Clock";
    private static readonly ConcurrentDictionary<string, WatchedClock> Clocks = new();

    private readonly string _name = Guid.NewGuid().ToString("N");
    private WebApplicationFactory<Program>? _web;

    public static readonly TimeSpan MonitorPeriod = TimeSpan.FromSeconds(5);

    internal WatchedClock Clock { get; } = new();

    internal FaultInjectingLedger Ledger => SiloService<FaultInjectingLedger>();

    internal FaultInjectingSheetStore Sheets => SiloService<FaultInjectingSheetStore>();

    /// <summary>The real web client on this cluster (started on first use).</summary>
    public HttpClient CreateHttpClient() => (_web ??= CreateWebClient()).CreateClient();

    protected override Task<Dictionary<string, string?>> SettingsAsync(Dictionary<string, string?> settings)
    {
        Clocks[_name] = Clock;
        settings[ClockSetting] = _name;
        settings["SubscriptionMonitor:Period"] = MonitorPeriod.ToString();
        return Task.FromResult(settings);
    }

    protected override void Configure(TestClusterBuilder builder) => builder.AddSiloBuilderConfigurator<FakeTimeConfigurator>();

    /// <summary>Stops the silo gracefully and starts it again on the same database and clock.</summary>
    public async Task RestartSiloAsync() => await Cluster.RestartSiloAsync(Cluster.Primary!);

    protected override Task StoppedAsync()
    {
        Clocks.TryRemove(_name, out _);
        return Task.CompletedTask;
    }

    private sealed class FakeTimeConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            var clock = Clocks[siloBuilder.Configuration[ClockSetting]!];
            siloBuilder.Services.AddKeyedSingleton<TimeProvider>(TimeProviderNames.Grains, clock);
            // Registered after the grains' own ledger and sheet store: the last registration is the one the grains get.
            siloBuilder.Services.AddSingleton(services => new FaultInjectingLedger(new DatabaseBillingLedger(services.GetRequiredService<NewsstandDb>())));
            siloBuilder.Services.AddSingleton<IBillingLedger>(services => services.GetRequiredService<FaultInjectingLedger>());
            siloBuilder.Services.AddSingleton(services => new FaultInjectingSheetStore(new DatabaseBillingSheetStore(services.GetRequiredService<NewsstandDb>())));
            siloBuilder.Services.AddSingleton<IBillingSheetStore>(services => services.GetRequiredService<FaultInjectingSheetStore>());
        }
    }
}

[CollectionDefinition(Name)]
public sealed class FakeTimeClusterDefinition : ICollectionFixture<FakeTimeClusterFixture>
{
    public const string Name = "Fake-time cluster";
}
