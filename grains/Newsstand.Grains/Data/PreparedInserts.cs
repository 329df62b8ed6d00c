using System.Data.Common;

namespace Newsstand.Data;

/// <summary>
/// The group commit's insert statements on its one open connection, one per table and row count, kept from commit to
/// commit: the database prepares a statement once (parsing a multi-row <c>INSERT</c> and compiling its foreign-key
/// checks was ~4% of the silo's CPU per insert when every commit prepared its statements again); each execution binds
/// the batch's values to it. Belongs to one connection and is disposed before it (the writer closes both after any
/// failure): a statement never outlives its connection. <see cref="CommandInserts"/> binds through ADO.NET parameters
/// (PostgreSQL), <see cref="SqliteStatementInserts"/> by position on SQLite's own statements.
/// </summary>
internal abstract class PreparedInserts : IDisposable
{
    /// <summary>Inserts <paramref name="rows"/> (entities of one table) with the statement for their count, in <paramref name="transaction"/>.</summary>
    public abstract Task InsertAsync(Type table, IReadOnlyList<ModelColumn> columns, object[] rows, DbTransaction? transaction);

    public abstract void Dispose();
}

/// <summary>Insert commands bound through each column's type mapping, by position (PostgreSQL's <c>$n</c> parameters).</summary>
internal sealed class CommandInserts(DbConnection connection, Func<Type, int, string> statement) : PreparedInserts
{
    private readonly Dictionary<(Type Table, int Rows), DbCommand> _commands = [];

    public override async Task InsertAsync(Type table, IReadOnlyList<ModelColumn> columns, object[] rows, DbTransaction? transaction)
    {
        if (!_commands.TryGetValue((table, rows.Length), out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = statement(table, rows.Length);
            _commands.Add((table, rows.Length), command);
        }
        command.Transaction = transaction;
        command.Parameters.Clear();
        foreach (var row in rows)
        {
            foreach (var column in columns)
            {
                column.Bind(command, "", row);
            }
        }
        await command.ExecuteNonQueryAsync();
    }

    public override void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }
        _commands.Clear();
    }
}
