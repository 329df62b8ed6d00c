using Newsstand.Data;
using Orleans.TestingHost;

namespace Newsstand.Tests.Infrastructure;

/// <summary>
/// A silo on a throwaway PostgreSQL database, created for this run and dropped after it. The server
/// comes from <c>NSMS_TEST_POSTGRES</c> (a connection string with rights to create databases), which
/// <c>test.sh</c> sets after starting a local server.
/// </summary>
public sealed class PostgresFixture : NewsstandClusterFixture
{
    public const string Variable = "NSMS_TEST_POSTGRES";

    private ScratchDatabase? _database;

    protected override async Task<Dictionary<string, string?>> SettingsAsync(Dictionary<string, string?> settings)
    {
        _database = await ScratchDatabase.CreateAsync("nsms_test_");
        settings["Database:Postgres"] = _database.ConnectionString;
        return settings;
    }

    protected override async Task StoppedAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
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
