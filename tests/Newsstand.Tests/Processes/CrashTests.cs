using System.Data.Common;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Newsstand.Tests.Infrastructure;
using Npgsql;

namespace Newsstand.Tests.Processes;

/// <summary>
/// SIGKILL of the built silo and web client: right after a burst of acknowledged writes to every table
/// (SQLite and PostgreSQL), every acknowledged row is in the database exactly as sent, and the restarted
/// service serves it; a web client killed mid-request leaves no partial write.
/// </summary>
[Collection(ProcessTestsDefinition.Name)]
public sealed class CrashTests : IAsyncLifetime
{
    private const int Chains = 6;
    private const int Rounds = 2;
    private readonly string _data = Directory.CreateTempSubdirectory("nsms-crash-").FullName;
    private ScratchDatabase? _database;

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task KillingSiloAndClientRightAfterABurstOfWritesToEveryTableLosesNothing(string database)
    {
        var settings = await SettingsAsync(database);
        var acknowledged = new List<(string Table, JsonObject Body)>();
        await using (var service = await SingleSilo.StartAsync(settings))
        {
            using var http = new HttpClient { BaseAddress = service.ClientUrl };
            await Task.WhenAll(Enumerable.Range(0, Chains).Select(async chain =>
            {
                for (var round = 0; round < Rounds; round++)
                {
                    foreach (var (table, body) in Chain(10_000 + (chain * 1_000) + (round * 100)))
                    {
                        using var response = await http.PostAsync($"/ch08/{table}/add", JsonContent.Create(body));
                        Assert.True(response.IsSuccessStatusCode, $"{table} {body["id"]}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                        lock (acknowledged)
                        {
                            acknowledged.Add((table, body));
                        }
                    }
                }
            }));
            // The moment the last write was acknowledged: no shutdown code runs in either process.
            service.Client.Kill();
            service.Silo.Kill();
            await Task.WhenAll(service.Client.Exited, service.Silo.Exited);
        }

        Assert.Equal(Chains * Rounds * 10, acknowledged.Count);
        await using (var connection = Open(database, settings))
        {
            foreach (var (table, body) in acknowledged)
            {
                await AssertStoredAsync(connection, table, body);
            }
        }
        // The restarted service serves what was acknowledged, hashes included.
        await using var restarted = await SingleSilo.StartAsync(settings);
        using var again = new HttpClient { BaseAddress = restarted.ClientUrl };
        var vendors = (await again.ListAsync("/ch08/vendor/list?limit=10000")).Select(v => (int)v!["id"]!).ToHashSet();
        Assert.All(acknowledged.Where(a => a.Table == "vendor"), a => Assert.Contains((int)a.Body["id"]!, vendors));
        var login = acknowledged.First(a => a.Table == "login").Body;
        using var verify = await again.PostAsync("/ch08/login/verify", JsonContent.Create(new JsonObject { ["username"] = login["username"]!.DeepClone(), ["password"] = login["password"]!.DeepClone() }));
        Assert.Equal(HttpStatusCode.OK, verify.StatusCode);
    }

    [Fact]
    public async Task AWebClientKilledMidRequestLeavesNoPartialWrite()
    {
        var settings = await SettingsAsync("sqlite");
        const int Login = 1;
        var complete = Enumerable.Range(100, 40).ToList();
        const int Unfinished = 99;
        await using (var service = await SingleSilo.StartAsync(settings))
        {
            using var http = new HttpClient { BaseAddress = service.ClientUrl };
            await http.AddAsync("login", Bodies.Login(Login));
            // One request whose body is only half sent, and many complete ones whose answers nobody waits for.
            using var half = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await half.ConnectAsync(IPAddress.Loopback, service.ClientUrl.Port);
            var body = Encoding.UTF8.GetBytes(Bodies.Compact(Bodies.Vendor(Unfinished, Login)));
            await half.SendAsync(Encoding.ASCII.GetBytes($"POST /ch08/vendor/add HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n"));
            await half.SendAsync(body.AsMemory(0, body.Length / 2));
            var inFlight = complete.Select(id => http.PostAsync("/ch08/vendor/add", JsonContent.Create(Bodies.Vendor(id, Login)))).ToList();
            // The client has answered at least one of them: the others are in every stage from parsing to committing.
            await Task.WhenAny(inFlight);
            service.Client.Kill();
            await service.Client.Exited;
            await Task.WhenAll(inFlight.Select(request => Record.ExceptionAsync(() => request)));
            service.Silo.Kill();
            await service.Silo.Exited;
        }

        await using (var connection = Open("sqlite", settings))
        {
            Assert.False(await ExistsAsync(connection, "vendor", Unfinished), "The half-sent vendor was stored.");
            foreach (var id in complete)
            {
                if (await ExistsAsync(connection, "vendor", id))
                {
                    await AssertStoredAsync(connection, "vendor", Bodies.Vendor(id, Login));
                }
            }
        }
        // Memory and database agree after a restart: a stored vendor is a conflict, a missing one can be added.
        await using var restarted = await SingleSilo.StartAsync(settings);
        using var again = new HttpClient { BaseAddress = restarted.ClientUrl };
        await using var check = Open("sqlite", settings);
        foreach (var id in complete.Append(Unfinished))
        {
            var stored = await ExistsAsync(check, "vendor", id);
            using var response = await again.PostAsync("/ch08/vendor/add", JsonContent.Create(Bodies.Vendor(id, Login)));
            Assert.Equal(stored ? HttpStatusCode.Conflict : HttpStatusCode.OK, response.StatusCode);
        }
    }

    /// <summary>One row of every table, each referring to the ones before it.</summary>
    private static IEnumerable<(string Table, JsonObject Body)> Chain(int first)
    {
        var (login, admin, vendor, customer, messenger, publication) = (first, first + 1, first + 2, first + 3, first + 5, first + 6);
        yield return ("login", Bodies.Login(login, password: $"crash-password-{login}"));
        yield return ("admin", Bodies.Admin(admin, login));
        yield return ("vendor", Bodies.Vendor(vendor, login));
        yield return ("customer", Bodies.Customer(customer, login));
        yield return ("billing", Bodies.Billing(first + 4, vendor, admin));
        yield return ("messenger", Bodies.Messenger(messenger, vendor));
        yield return ("publication", Bodies.Publication(publication, vendor, messenger));
        yield return ("content", Bodies.Content(first + 7, publication));
        yield return ("sales", Bodies.Sales(first + 8, publication));
        yield return ("subscription", Bodies.Subscription(first + 9, customer));
    }

    /// <summary>The stored row has every field as sent (a login: its canonical username, its type and a hash, never the password).</summary>
    private static async Task AssertStoredAsync(DbConnection connection, string table, JsonObject body)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM \"{table}\" WHERE id = {(int)body["id"]!}";
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), $"{table} {body["id"]} was acknowledged but is not stored.");
        foreach (var (field, value) in body)
        {
            var stored = reader.GetValue(reader.GetOrdinal(field));
            if (table == "login" && field == "password")
            {
                Assert.StartsWith("pbkdf2-sha256$", (string)stored, StringComparison.Ordinal);
                continue;
            }
            Assert.True(Same(value!, stored), $"{table} {body["id"]} {field}: sent {value}, stored {stored}");
        }
    }

    private static bool Same(JsonNode sent, object stored) => stored switch
    {
        DateTime date => (string?)sent == date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateOnly date => (string?)sent == date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        string text => (string?)sent == text,
        _ => double.Parse(sent.ToJsonString(), CultureInfo.InvariantCulture) == Convert.ToDouble(stored, CultureInfo.InvariantCulture),
    };

    private static async Task<bool> ExistsAsync(DbConnection connection, string table, int id)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM \"{table}\" WHERE id = {id}";
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture) > 0;
    }

    private static DbConnection Open(string database, Dictionary<string, string> settings)
    {
        DbConnection connection = database == "sqlite"
            ? new SqliteConnection($"Data Source={Path.Combine(settings["Database__DataDirectory"], "newsstand.db")};Pooling=False")
            : new NpgsqlConnection(settings["Database__Postgres"]);
        connection.Open();
        return connection;
    }

    private async Task<Dictionary<string, string>> SettingsAsync(string database)
    {
        var settings = new Dictionary<string, string> { ["Database__DataDirectory"] = _data, ["Hashing__Iterations"] = "1000" };
        if (database == "postgres")
        {
            _database = await ScratchDatabase.CreateAsync("nsms_crash_");
            settings["Database__Postgres"] = _database.ConnectionString;
        }
        return settings;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
        Directory.Delete(_data, recursive: true);
    }

    /// <summary>One silo (localhost clustering) and the web client as processes on free ports.</summary>
    private sealed class SingleSilo : IAsyncDisposable
    {
        private SingleSilo(HostProcess silo, HostProcess client, Uri clientUrl) => (Silo, Client, ClientUrl) = (silo, client, clientUrl);

        public HostProcess Silo { get; }

        public HostProcess Client { get; }

        public Uri ClientUrl { get; }

        public static async Task<SingleSilo> StartAsync(Dictionary<string, string> settings)
        {
            var gateway = BuiltHosts.FreePort().ToString(CultureInfo.InvariantCulture);
            var silo = await StartAsync("silo", BuiltHosts.Silo, port => new Dictionary<string, string>(settings)
            {
                ["Orleans__SiloPort"] = BuiltHosts.FreePort().ToString(CultureInfo.InvariantCulture),
                ["Orleans__GatewayPort"] = gateway,
                ["Urls"] = $"http://127.0.0.1:{port}",
            });
            try
            {
                var client = await StartAsync("client", BuiltHosts.Client, port => new Dictionary<string, string>
                {
                    ["Urls"] = $"http://127.0.0.1:{port}",
                    ["Orleans__GatewayPorts__0"] = gateway,
                });
                return new SingleSilo(silo.Host, client.Host, new Uri($"http://127.0.0.1:{client.Port}"));
            }
            catch
            {
                await silo.Host.DisposeAsync();
                throw;
            }
        }

        /// <summary>
        /// Starts a host on a free web port. A port found free can be taken before the host binds it (the
        /// connections of a killed process hold loopback ports for a while): then it is started again on another.
        /// </summary>
        private static async Task<(HostProcess Host, int Port)> StartAsync(string name, string executable, Func<int, Dictionary<string, string>> settings)
        {
            for (var attempt = 1; ; attempt++)
            {
                var port = BuiltHosts.FreePort();
                var host = HostProcess.Start(name, executable, settings(port));
                try
                {
                    await host.WaitStartedAsync(ProcessCluster.StartTimeout);
                    return (host, port);
                }
                catch (InvalidOperationException) when (attempt < 3 && host.Output.Contains("already in use", StringComparison.Ordinal))
                {
                    await host.DisposeAsync();
                }
                catch
                {
                    await host.DisposeAsync();
                    throw;
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await Client.DisposeAsync();
            await Silo.DisposeAsync();
        }
    }
}
