using Orleans.TestingHost;
using Newsstand.Data;
using Microsoft.Extensions.DependencyInjection;

namespace Newsstand.Tests.Infrastructure;

/// <summary>
/// A silo on a throwaway PostgreSQL database, created for this run and dropped after it. The server
/// comes from <c>NSMS_TEST_POSTGRES</c> (a connection string with rights to create databases), which
/// <c>test.sh</c> sets after starting a local server.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime, IStorageFixture
{
    public const string Variable = "NSMS_TEST_POSTGRES";

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "nsms-pg-tests-" + Guid.NewGuid().ToString("N"));
    private ScratchDatabase? _database;

    public TestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    /// <summary>The real web client on this cluster.</summary>
    public Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> CreateWebClient() => NewsstandCluster.CreateWebClient(Cluster);

    NewsstandDbContext IStorageFixture.OpenDatabase() => ((IStorageFixture)this).Database.CreateContext();

    NewsstandDb IStorageFixture.Database => Cluster.GetSiloServiceProvider(Cluster.Primary!.SiloAddress).GetRequiredService<NewsstandDb>();

    public async Task InitializeAsync()
    {
        _database = await ScratchDatabase.CreateAsync("nsms_test_");
        Cluster = await NewsstandCluster.StartAsync(NewsstandCluster.Settings(_dataDirectory, _database.ConnectionString));
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresClusterDefinition : ICollectionFixture<PostgresFixture>
{
    public const string Name = "PostgreSQL cluster";
}

/// <summary>What the storage tests need of a cluster, whichever database is behind it.</summary>
public interface IStorageFixture
{
    TestCluster Cluster { get; }

    IGrainFactory Grains { get; }

    internal NewsstandDbContext OpenDatabase();

    internal NewsstandDb Database { get; }
}
