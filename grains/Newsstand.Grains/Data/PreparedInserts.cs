using System.Data.Common;

namespace Newsstand.Data;

/// <summary>
/// The group commit's insert commands on its one open connection, one per table and row count, kept from commit to
/// commit: SQLite prepares a statement once (parsing a multi-row <c>INSERT</c> and compiling its foreign-key checks
/// was ~4% of the silo's CPU per insert when every commit prepared its statements again); each execution binds new
/// parameters to it. Belongs to one connection and is disposed before it (the writer closes both after any failure):
/// a statement never outlives its connection. A statement that broke a constraint is reset by Microsoft.Data.Sqlite
/// before the error surfaces, so it holds no lock while its transaction rolls back and the batch is redone write by
/// write on another connection.
/// </summary>
internal sealed class PreparedInserts(DbConnection connection, Func<Type, int, string> statement) : IDisposable
{
    private readonly Dictionary<(Type Table, int Rows), DbCommand> _commands = [];

    /// <summary>The command inserting <paramref name="rows"/> rows of <paramref name="table"/>, its parameters cleared for this execution.</summary>
    public DbCommand For(Type table, int rows, DbTransaction? transaction)
    {
        if (!_commands.TryGetValue((table, rows), out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = statement(table, rows);
            _commands.Add((table, rows), command);
        }
        command.Transaction = transaction;
        command.Parameters.Clear();
        return command;
    }

    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }
        _commands.Clear();
    }
}
