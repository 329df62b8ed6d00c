using System.Data.Common;

namespace Newsstand.Data;

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
