using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Newsstand.Data;
using Orleans.TestingHost;

namespace Newsstand.Tests.Infrastructure;

/// <summary>
/// What every in-process cluster fixture shares: one silo with the production grain setup (see
/// <see cref="NewsstandCluster"/>) on a data folder of its own, access to the silo's services and database,
/// real web clients on its gateway, and one teardown for all of it.
/// </summary>
public abstract class NewsstandClusterFixture : IAsyncLifetime, IStorageFixture
{
    private readonly List<WebApplicationFactory<Program>> _webClients = [];

    public TestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "nsms-tests-" + Guid.NewGuid().ToString("N"));

    internal T SiloService<T>() where T : notnull => Cluster.GetSiloServiceProvider(Cluster.Primary!.SiloAddress).GetRequiredService<T>();

    internal NewsstandDbContext OpenDatabase() => SiloService<NewsstandDb>().CreateContext();

    NewsstandDbContext IStorageFixture.OpenDatabase() => OpenDatabase();

    NewsstandDb IStorageFixture.Database => SiloService<NewsstandDb>();

    /// <summary>Another instance of the real web client on this cluster, with extra settings (disposed with the fixture).</summary>
    public WebApplicationFactory<Program> CreateWebClient(params (string Key, string Value)[] settings)
    {
        var web = NewsstandCluster.CreateWebClient(Cluster, settings);
        lock (_webClients)
        {
            _webClients.Add(web);
        }
        return web;
    }

    public async Task InitializeAsync()
    {
        Cluster = await NewsstandCluster.StartAsync(await SettingsAsync(NewsstandCluster.Settings(DataDirectory)), Configure);
        await StartedAsync();
    }

    public async Task DisposeAsync()
    {
        await StoppingAsync();
        foreach (var web in _webClients)
        {
            await web.DisposeAsync();
        }
        await Cluster.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        await StoppedAsync();
    }

    /// <summary>The cluster's settings: the test defaults, changed or added to by the fixture.</summary>
    protected virtual Task<Dictionary<string, string?>> SettingsAsync(Dictionary<string, string?> settings) => Task.FromResult(settings);

    /// <summary>More for the test cluster's builder (e.g. a silo configurator).</summary>
    protected virtual void Configure(TestClusterBuilder builder)
    {
    }

    protected virtual Task StartedAsync() => Task.CompletedTask;

    /// <summary>Before the web clients and the cluster go.</summary>
    protected virtual Task StoppingAsync() => Task.CompletedTask;

    /// <summary>After the cluster and the data folder are gone.</summary>
    protected virtual Task StoppedAsync() => Task.CompletedTask;
}
