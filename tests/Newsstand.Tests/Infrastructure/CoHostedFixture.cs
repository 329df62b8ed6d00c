extern alias silo;
using System.Globalization;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Newsstand.Data;
using SiloProgram = silo::Program;

namespace Newsstand.Tests.Infrastructure;

/// <summary>
/// The co-hosted form: the silo host itself (its own <c>Program</c>, <c>Silo:ServeApi=true</c>, localhost clustering on
/// free ports, a fresh SQLite file) serving the API, so requests reach the grains without a gateway hop.
/// </summary>
public sealed class CoHostedFixture : IApiFixture, IAsyncLifetime
{
    private WebApplicationFactory<SiloProgram> _silo = null!;

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "nsms-tests-cohosted-" + Guid.NewGuid().ToString("N"));

    public HttpClient Http { get; private set; } = null!;

    /// <summary>The co-hosted silo's services (the API's and the silo's: one host).</summary>
    public IServiceProvider Services => _silo.Services;

    NewsstandDbContext IApiFixture.OpenDatabase() => _silo.Services.GetRequiredService<NewsstandDb>().CreateContext();

    public Task InitializeAsync()
    {
        var settings = NewsstandCluster.Settings(DataDirectory);
        foreach (var (key, value) in ClusterFixture.UnlimitedAbuse)
        {
            settings[key] = value;
        }
        settings["Silo:ServeApi"] = "true";
        // As the separate form's tests: the original's anonymous contract; the access tests ask for Auth:Mode=Required.
        settings["Auth:Mode"] = "Open";
        // Kestrel is replaced by the in-memory test server; port 0 keeps the web port check off appsettings' 8100.
        settings["Urls"] = "http://127.0.0.1:0";
        settings["Orleans:SiloPort"] = LoopbackPorts.Free().ToString(CultureInfo.InvariantCulture);
        settings["Orleans:GatewayPort"] = LoopbackPorts.Free().ToString(CultureInfo.InvariantCulture);
        settings["Orleans:ClusterId"] = "cohosted-" + Guid.NewGuid().ToString("N");
        _silo = new WebApplicationFactory<SiloProgram>().WithWebHostBuilder(web =>
        {
            foreach (var (key, value) in settings)
            {
                web.UseSetting(key, value);
            }
            web.ConfigureServices(services => services.AddLogging(LogCapture.AddTo));
        });
        Http = _silo.CreateClient();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await _silo.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class CoHostedDefinition : ICollectionFixture<CoHostedFixture>
{
    public const string Name = "Co-hosted silo";
}
