using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Newsstand.Data;
using Newsstand.Security;
using Orleans.TestingHost;

namespace Newsstand.Tests.Infrastructure;

/// <summary>
/// One silo on a fresh SQLite file plus the real web client, connected to the silo's gateway over TCP:
/// API tests go through the whole pipeline, grain tests use the same cluster.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime, IStorageFixture
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "nsms-tests-" + Guid.NewGuid().ToString("N"));
    private WebApplicationFactory<Program>? _web;
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
    private static readonly (string Key, string Value)[] UnlimitedAbuse =
        [.. new[] { "VerifyPerUsername", "VerifyPerAddress", "AddPerUsername", "AddPerAddress" }.Select(limit => ($"AbuseLimits:{limit}:Permits", "1000000"))];

    public static readonly TimeSpan MonitorPeriod = TimeSpan.FromSeconds(1);

    public TestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    public string DataDirectory => _dataDirectory;

    public HttpClient Http { get; private set; } = null!;

    internal T SiloService<T>() where T : notnull => Cluster.GetSiloServiceProvider(Cluster.Primary!.SiloAddress).GetRequiredService<T>();

    internal HashingLane Lane => SiloService<HashingLane>();

    internal NewsstandDbContext OpenDatabase() => SiloService<NewsstandDb>().CreateContext();

    NewsstandDbContext IStorageFixture.OpenDatabase() => OpenDatabase();

    NewsstandDb IStorageFixture.Database => SiloService<NewsstandDb>();

    public async Task InitializeAsync()
    {
        var settings = NewsstandCluster.Settings(_dataDirectory);
        // Real time here: a started monitor publishes a total every second (the feed tests wait for one).
        settings["SubscriptionMonitor:Period"] = MonitorPeriod.ToString();
        Cluster = await NewsstandCluster.StartAsync(settings);
        _web = CreateWebClient(UnlimitedAbuse);
        Http = _web.CreateClient();
    }

    /// <summary>Another instance of the real web client on this cluster, with extra settings.</summary>
    public WebApplicationFactory<Program> CreateWebClient(params (string Key, string Value)[] settings) => NewsstandCluster.CreateWebClient(Cluster, settings);

    /// <summary>The web client behind real Kestrel with <see cref="EdgeSettings"/>, started on first use.</summary>
    public Task<KestrelWebClient> EdgeAsync() => _edge ??= Task.Run(() => KestrelWebClient.Start(CreateWebClient(EdgeSettings)));

    /// <summary>Another instance of the real web client on this cluster, served by Kestrel on a free loopback port (real sockets).</summary>
    public KestrelWebClient CreateKestrelClient(params (string Key, string Value)[] settings) => KestrelWebClient.Start(CreateWebClient(settings));

    public async Task DisposeAsync()
    {
        if (_edge is not null)
        {
            await (await _edge).DisposeAsync();
        }
        Http.Dispose();
        if (_web is not null)
        {
            await _web.DisposeAsync();
        }
        await Cluster.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDirectory, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class SqliteClusterDefinition : ICollectionFixture<ClusterFixture>
{
    public const string Name = "SQLite cluster";
}
