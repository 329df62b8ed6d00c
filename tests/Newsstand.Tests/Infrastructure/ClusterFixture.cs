using Newsstand.Security;

namespace Newsstand.Tests.Infrastructure;

/// <summary>
/// One silo on a fresh SQLite file plus the real web client, connected to the silo's gateway over TCP:
/// API tests go through the whole pipeline, grain tests use the same cluster.
/// </summary>
public sealed class ClusterFixture : NewsstandClusterFixture, IApiFixture
{
    private Task<KestrelWebClient>? _edge;

    /// <summary>
    /// Limits of the edge web client (<see cref="EdgeAsync"/>): small abuse limits and short connection
    /// timeouts, so tests reach them quickly. Tests on it use fresh usernames and client addresses.
    /// </summary>
    public static readonly (string Key, string Value)[] EdgeSettings =
    [
        ("AbuseLimits:VerifyPerUsername:Permits", "3"),
        ("AbuseLimits:VerifyPerUsername:Window", "01:00:00"),
        ("AbuseLimits:VerifyPerAddress:Permits", "6"),
        ("AbuseLimits:VerifyPerAddress:Window", "01:00:00"),
        ("AbuseLimits:AddPerUsername:Permits", "2"),
        ("AbuseLimits:AddPerUsername:Window", "01:00:00"),
        ("AbuseLimits:AddPerAddress:Permits", "4"),
        ("AbuseLimits:AddPerAddress:Window", "01:00:00"),
        ("ConnectionLimits:RequestHeadersTimeout", "00:00:01"),
        ("ConnectionLimits:KeepAliveTimeout", "00:00:02"),
        ("ConnectionLimits:MinRequestBodyDataRate", "1000"),
        ("ConnectionLimits:DataRateGracePeriod", "00:00:02"),
    ];

    /// <summary>
    /// Generous abuse limits for the shared in-process client: its requests all come from one (absent)
    /// address, and tests other than the abuse tests must never meet a limit.
    /// </summary>
    internal static readonly (string Key, string Value)[] UnlimitedAbuse =
        [.. new[] { "VerifyPerUsername", "VerifyPerAddress", "AddPerUsername", "AddPerAddress" }.Select(limit => ($"AbuseLimits:{limit}:Permits", "1000000"))];

    public static readonly TimeSpan MonitorPeriod = TimeSpan.FromSeconds(1);

    public HttpClient Http { get; private set; } = null!;

    internal HashingLane Lane => SiloService<HashingLane>();

    Newsstand.Data.NewsstandDbContext IApiFixture.OpenDatabase() => OpenDatabase();

    /// <summary>The web client behind real Kestrel with <see cref="EdgeSettings"/>, started on first use.</summary>
    public Task<KestrelWebClient> EdgeAsync() => _edge ??= Task.Run(() => KestrelWebClient.Start(CreateWebClient(EdgeSettings)));

    /// <summary>Another instance of the real web client on this cluster, served by Kestrel on a free loopback port (real sockets).</summary>
    public KestrelWebClient CreateKestrelClient(params (string Key, string Value)[] settings) => KestrelWebClient.Start(CreateWebClient(settings));

    protected override Task<Dictionary<string, string?>> SettingsAsync(Dictionary<string, string?> settings)
    {
        // Real time here: a started monitor publishes a total every second (the feed tests wait for one).
        settings["SubscriptionMonitor:Period"] = MonitorPeriod.ToString();
        return Task.FromResult(settings);
    }

    protected override Task StartedAsync()
    {
        Http = CreateWebClient(UnlimitedAbuse).CreateClient();
        return Task.CompletedTask;
    }

    protected override async Task StoppingAsync()
    {
        if (_edge is not null)
        {
            await (await _edge).DisposeAsync();
        }
        Http.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class SqliteClusterDefinition : ICollectionFixture<ClusterFixture>
{
    public const string Name = "SQLite cluster";
}
