using System.Globalization;
using Microsoft.Data.Sqlite;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Processes;

/// <summary>
/// A silo process and the web client on a SQLite database of <see cref="Logins"/> logins. The first login is added
/// through the API (its hash made with the tests' low iteration count); the others are copied from it by one SQL
/// statement while the service is stopped, so seeding takes seconds, and the restarted silo counts them at start.
/// </summary>
public sealed class LargeLoginTable : IAsyncLifetime
{
    public const int Logins = 200_000;

    private readonly string _data = Directory.CreateTempSubdirectory("nsms-large-").FullName;

    internal SiloProcess Silo { get; private set; } = null!;

    internal HostProcess Client { get; private set; } = null!;

    public Uri ClientUrl { get; private set; } = null!;

    /// <summary>The user list entry of login <paramref name="id"/> as <c>login/list/records</c> writes it.</summary>
    public static string User(int id) => $"{id} streamed-answer-user-{id:D6} 1";

    public async Task InitializeAsync()
    {
        await StartAsync();
        using (var http = new HttpClient { BaseAddress = ClientUrl })
        {
            await http.AddAsync("login", Bodies.Login(1, username: "streamed-answer-user-000001", password: "streamed-answer-password"));
        }
        await StopAsync();
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(_data, "newsstand.db")};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var copy = connection.CreateCommand();
            copy.CommandText = $"""
                WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < {Logins})
                INSERT INTO login (id, username, password, user_type)
                SELECT i, 'streamed-answer-user-' || substr('000000' || i, -6), (SELECT password FROM login WHERE id = 1), 1 FROM n
                """;
            Assert.Equal(Logins - 1, await copy.ExecuteNonQueryAsync());
        }
        await StartAsync();
    }

    public async Task DisposeAsync()
    {
        await StopAsync();
        Directory.Delete(_data, recursive: true);
    }

    /// <summary>The silo's resident set now (<c>VmRSS</c>) and at most since the last <see cref="ResetPeak"/> (<c>VmHWM</c>), in bytes.</summary>
    public (long Resident, long Peak) SiloMemory()
    {
        var status = File.ReadAllLines($"/proc/{Silo.Host.Pid}/status");
        long Field(string name) => long.Parse(status.Single(l => l.StartsWith(name + ":", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        return (Field("VmRSS"), Field("VmHWM"));
    }

    /// <summary>Sets the silo's peak resident set (<c>VmHWM</c>) back to its resident set now (Linux: <c>clear_refs</c> 5).</summary>
    public void ResetPeak() => File.WriteAllText($"/proc/{Silo.Host.Pid}/clear_refs", "5");

    private async Task StartAsync()
    {
        Silo = await SiloProcess.StartAsync("silo", new Dictionary<string, string>
        {
            ["Database__DataDirectory"] = _data,
            // How each streamed answer ended (the test of a client that leaves mid-answer reads it).
            ["Logging__LogLevel__Newsstand.Workloads"] = "Debug",
        });
        var port = BuiltHosts.FreePort();
        ClientUrl = new Uri($"http://127.0.0.1:{port}");
        Client = HostProcess.Start("client", BuiltHosts.Client, new Dictionary<string, string>
        {
            ["Urls"] = ClientUrl.ToString(),
            ["Orleans__GatewayPorts__0"] = Silo.GatewayPort.ToString(CultureInfo.InvariantCulture),
        });
        await Client.WaitStartedAsync(ProcessCluster.StartTimeout);
    }

    private async Task StopAsync()
    {
        if (Client is not null)
        {
            await Client.DisposeAsync();
        }
        if (Silo is not null)
        {
            await Silo.DisposeAsync();
        }
        SqliteConnection.ClearAllPools();
    }
}
