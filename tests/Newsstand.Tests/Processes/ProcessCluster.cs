using System.Globalization;
using System.Security.Cryptography;
using Npgsql;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Processes;

/// <summary>
/// A real cluster of processes on loopback, as <c>cluster.sh</c> runs it: Redis for membership (with a
/// password, which reaches the hosts inside their connection string through the environment only), a fresh
/// database on the test PostgreSQL server (<c>NSMS_TEST_POSTGRES</c>), silo processes and the web client,
/// each on free ports, with short membership timeouts so a killed silo is declared dead in seconds.
/// </summary>
internal sealed class ProcessCluster : IAsyncDisposable
{
    public static readonly TimeSpan StartTimeout = SiloProcess.StartTimeout;

    private readonly ScratchDatabase _database;
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "nsms-process-" + Guid.NewGuid().ToString("N"));
    private readonly Dictionary<string, string> _shared;
    private HostProcess? _redis;

    private ProcessCluster(ScratchDatabase database, int redisPort, IReadOnlyDictionary<string, string>? environment)
    {
        _database = database;
        RedisPort = redisPort;
        RedisPassword = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        ClusterId = "nsms-" + Guid.NewGuid().ToString("N")[..8];
        _shared = new()
        {
            ["Orleans__ClusterId"] = ClusterId,
            ["Orleans__ServiceId"] = "nsms-tests",
            ["Orleans__RedisClustering"] = RedisConnection,
            ["Orleans__AdvertisedAddress"] = "127.0.0.1",
            ["Database__Postgres"] = Database,
            // A dead silo is suspected after 2 missed 1 s probes and declared dead by the others' votes.
            ["Orleans__Membership__ProbeTimeout"] = "00:00:01",
            ["Orleans__Membership__NumMissedProbesLimit"] = "2",
            ["Orleans__Membership__TableRefreshTimeout"] = "00:00:02",
            ["Orleans__Membership__IAmAliveTablePublishTimeout"] = "00:00:05",
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            _shared[key] = value;
        }
    }

    public string ClusterId { get; }

    public string ServiceId => _shared["Orleans__ServiceId"];

    public int RedisPort { get; }

    /// <summary>The password Redis requires (made up per cluster).</summary>
    public string RedisPassword { get; }

    /// <summary>The StackExchange.Redis connection string of the cluster's Redis, password included.</summary>
    public string RedisConnection => $"127.0.0.1:{RedisPort},password={RedisPassword}";

    public string Database => _database.ConnectionString;

    public List<SiloProcess> Silos { get; } = [];

    public HostProcess Client { get; private set; } = null!;

    public Uri ClientUrl { get; private set; } = null!;

    /// <summary>
    /// Starts Redis, <paramref name="silos"/> silos and the web client; with <paramref name="dashboard"/> each silo serves its
    /// dashboard on its admin port; <paramref name="environment"/> is given to every silo and the client (e.g. TLS settings).
    /// </summary>
    public static async Task<ProcessCluster> StartAsync(int silos, DashboardAccount? dashboard = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var cluster = new ProcessCluster(await ScratchDatabase.CreateAsync("nsms_proc_"), BuiltHosts.FreePort(), environment);
        try
        {
            await cluster.StartAllAsync(silos, dashboard);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private async Task StartAllAsync(int silos, DashboardAccount? dashboard)
    {
        // The password goes in on standard input ("-" reads configuration from it), never on a command line.
        _redis = HostProcess.StartWithInput("redis", "redis-server", new Dictionary<string, string>(), $"requirepass {RedisPassword}\n",
            "-", "--port", RedisPort.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no");
        await _redis.WaitForLineAsync(line => line.Contains("Ready to accept connections", StringComparison.Ordinal), StartTimeout);

        // All silos start at once (they take turns migrating under a database lock), so the table
        // owners each one warms up land on different silos.
        var all = Enumerable.Range(1, silos).Select(n => StartSilo(n, dashboard)).ToList();
        await Task.WhenAll(all.Select(silo => silo.Host.WaitStartedAsync(StartTimeout)));

        var clientPort = BuiltHosts.FreePort();
        ClientUrl = new Uri($"http://127.0.0.1:{clientPort}");
        Client = HostProcess.Start("client", BuiltHosts.Client, new Dictionary<string, string>(_shared)
        {
            ["Urls"] = ClientUrl.ToString(),
            // A call whose silo died unanswered fails after this instead of Orleans' default 30 s.
            ["Orleans__Messaging__ResponseTimeout"] = "00:00:05",
        });
        await Client.WaitStartedAsync(StartTimeout);
    }

    /// <summary>Starts one more silo into the running cluster and waits until it has started.</summary>
    public async Task<SiloProcess> StartAnotherSiloAsync()
    {
        var silo = StartSilo(Silos.Count + 1, dashboard: null);
        await silo.Host.WaitStartedAsync(StartTimeout);
        return silo;
    }

    private SiloProcess StartSilo(int number, DashboardAccount? dashboard)
    {
        var silo = new SiloProcess($"silo-{number}");
        var environment = new Dictionary<string, string>(_shared)
        {
            // A folder of its own, as a pod has: whatever every silo must share lives in PostgreSQL.
            ["Database__DataDirectory"] = Path.Combine(_dataDirectory, silo.Name),
        };
        if (dashboard is not null)
        {
            environment["Dashboard__AdminUrl"] = silo.AdminUrl.ToString();
            environment["Dashboard__Username"] = dashboard.Username;
            environment["Dashboard__Password"] = dashboard.Password;
        }
        silo.Start(environment);
        Silos.Add(silo);
        return silo;
    }

    /// <summary>Ids of <paramref name="table"/> rows that are committed in the database.</summary>
    public async Task<HashSet<int>> CommittedIdsAsync(string table, IReadOnlyCollection<int> ids)
    {
        await using var connection = new NpgsqlConnection(Database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT id FROM \"{table}\" WHERE id = ANY(@ids)", connection);
        command.Parameters.AddWithValue("ids", ids.ToArray());
        var found = new HashSet<int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            found.Add(reader.GetInt32(0));
        }
        return found;
    }

    public async ValueTask DisposeAsync()
    {
        if (Client is not null)
        {
            await Client.DisposeAsync();
        }
        await Task.WhenAll(Silos.Where(silo => silo.Host is not null).Select(silo => silo.Host.DisposeAsync().AsTask()));
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
        await _database.DisposeAsync();
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }
}

/// <summary>The dashboard account the silos are configured with (made up per test run).</summary>
internal sealed record DashboardAccount(string Username, string Password);
