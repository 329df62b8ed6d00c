using System.Globalization;
using Npgsql;

namespace Newsstand.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL server of the test's own (Debian's binaries, a fresh data folder, a free loopback port),
/// which the test may stop and start again while a silo uses it. As root it runs as the postgres user.
/// </summary>
internal sealed class ThrowawayPostgres : IAsyncDisposable
{
    private readonly string _folder;
    private readonly string _bin;

    private ThrowawayPostgres(string folder, string bin, int port)
    {
        _folder = folder;
        _bin = bin;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1", Port = Port, Username = "postgres", Database = "postgres",
        // A stopped server is noticed at once, not after the default 15 s.
        Timeout = 3, CommandTimeout = 10,
    }.ToString();

    private string Data => Path.Combine(_folder, "data");

    public static async Task<ThrowawayPostgres> StartAsync()
    {
        var bin = Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(v => int.Parse(Path.GetFileName(v), CultureInfo.InvariantCulture))
            .Select(v => Path.Combine(v, "bin")).FirstOrDefault(Directory.Exists)
            ?? throw new InvalidOperationException("PostgreSQL is not installed (./test.sh installs it).");
        var folder = Directory.CreateTempSubdirectory("nsms-pg-own-").FullName;
        var server = new ThrowawayPostgres(folder, bin, BuiltHosts.FreePort());
        try
        {
            if (Environment.UserName == "root")
            {
                await Commands.RunAsync("chown", "postgres", folder);
            }
            await server.AsPostgresAsync("initdb", "-D", server.Data, "-A", "trust", "-U", "postgres");
            await server.StartServerAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the server (again); returns once it accepts connections.</summary>
    public Task StartServerAsync() => AsPostgresAsync("pg_ctl", "-D", Data, "-l", Path.Combine(_folder, "server.log"), "-w",
        "-o", $"-p {Port} -k {_folder} -c listen_addresses=127.0.0.1 -c fsync=on", "start");

    /// <summary>Stops the server at once, as a crash would: open connections break, nothing is shut down cleanly.</summary>
    public Task StopServerAsync() => AsPostgresAsync("pg_ctl", "-D", Data, "-m", "immediate", "-w", "stop");

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (File.Exists(Path.Combine(Data, "postmaster.pid")))
        {
            await StopServerAsync();
        }
        Directory.Delete(_folder, recursive: true);
    }

    private Task<string> AsPostgresAsync(string tool, params string[] arguments) =>
        Environment.UserName == "root"
            ? Commands.RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, tool), .. arguments])
            : Commands.RunAsync(Path.Combine(_bin, tool), arguments);
}
