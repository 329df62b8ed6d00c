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

    public TestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    public HttpClient Http { get; private set; } = null!;

    internal T SiloService<T>() where T : notnull => Cluster.GetSiloServiceProvider(Cluster.Primary!.SiloAddress).GetRequiredService<T>();

    internal HashingLane Lane => SiloService<HashingLane>();

    internal NewsstandDbContext OpenDatabase() => SiloService<NewsstandDb>().CreateContext();

    NewsstandDbContext IStorageFixture.OpenDatabase() => OpenDatabase();

    NewsstandDb IStorageFixture.Database => SiloService<NewsstandDb>();

    public async Task InitializeAsync()
    {
        Cluster = await NewsstandCluster.StartAsync(NewsstandCluster.Settings(_dataDirectory));
        _web = CreateWebClient();
        Http = _web.CreateClient();
    }

    /// <summary>Another instance of the real web client on this cluster, with extra settings.</summary>
    public WebApplicationFactory<Program> CreateWebClient(params (string Key, string Value)[] settings) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("Orleans:ClusterId", Cluster.Options.ClusterId)
                .UseSetting("Orleans:ServiceId", Cluster.Options.ServiceId)
                .UseSetting("Orleans:GatewayPorts:0", Cluster.Primary!.GatewayAddress!.Endpoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
            web.ConfigureServices(services => services.AddLogging(LogCapture.AddTo));
            foreach (var (key, value) in settings)
            {
                web.UseSetting(key, value);
            }
        });

    /// <summary>Another instance of the real web client on this cluster, served by Kestrel on a free loopback port (real sockets).</summary>
    public KestrelWebClient CreateKestrelClient(params (string Key, string Value)[] settings) => KestrelWebClient.Start(CreateWebClient(settings));

    public async Task DisposeAsync()
    {
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
