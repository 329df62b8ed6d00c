using Npgsql;

namespace Newsstand.Tests.Infrastructure;

/// <summary>
/// A database of its own on the test PostgreSQL server (<see cref="PostgresFixture.Variable"/>, which
/// <c>test.sh</c> sets after starting a server): created for one fixture or test, dropped with every
/// connection still open to it when disposed.
/// </summary>
internal sealed class ScratchDatabase : IAsyncDisposable
{
    private readonly string _server;

    private ScratchDatabase(string server, string name)
    {
        _server = server;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ToString();
    }

    public string Name { get; }

    public string ConnectionString { get; }

    /// <summary>Creates a database named <paramref name="prefix"/> and a random suffix.</summary>
    public static async Task<ScratchDatabase> CreateAsync(string prefix)
    {
        var server = Environment.GetEnvironmentVariable(PostgresFixture.Variable)
            ?? throw new InvalidOperationException($"Set {PostgresFixture.Variable} to a PostgreSQL connection string (./test.sh starts a server and sets it).");
        var database = new ScratchDatabase(server, prefix + Guid.NewGuid().ToString("N")[..12]);
        await database.OnServerAsync($"CREATE DATABASE \"{database.Name}\"");
        return database;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await OnServerAsync($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)");
    }

    private async Task OnServerAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
