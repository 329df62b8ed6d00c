using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Newsstand.Data;

/// <summary>
/// Sets <c>PRAGMA synchronous=FULL</c> on every SQLite connection as it opens: a commit returns only after the
/// write-ahead log is synced to disk, so a 2xx built on it survives a power cut. SQLite's own default depends on
/// how the library was compiled; the setting is per connection, so it is set on each, not assumed.
/// </summary>
internal sealed class SqliteDurability : DbConnectionInterceptor
{
    public const string Pragma = "PRAGMA synchronous=FULL;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragma;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragma;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
