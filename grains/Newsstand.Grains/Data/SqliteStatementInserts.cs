using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Newsstand.Data;

/// <summary>
/// SQLite's insert statements, prepared on the writer's connection handle and bound by position
/// (<c>sqlite3_bind_*</c>): Microsoft.Data.Sqlite would make a <see cref="SqliteParameter"/> per value and find each
/// one's place by name, a linear search of the statement's names (binding was ~6% of the silo's CPU per insert). Values
/// are converted as the column's type mapping and Microsoft.Data.Sqlite would store them (<see cref="SqliteValues"/>).
/// The statements run in the transaction the connection already holds (<c>BEGIN IMMEDIATE</c>: the write lock is
/// taken, so a step never waits for it). A step that breaks a constraint is reset before its error is thrown as the
/// <see cref="SqliteException"/> Microsoft.Data.Sqlite would throw, so the statement holds no lock while the
/// transaction rolls back and the writer redoes the batch write by write.
/// </summary>
internal sealed class SqliteStatementInserts(SqliteConnection connection, Func<Type, int, string> statement) : PreparedInserts
{
    private readonly Dictionary<(Type Table, int Rows), sqlite3_stmt> _statements = [];

    public override Task InsertAsync(Type table, IReadOnlyList<ModelColumn> columns, object[] rows, System.Data.Common.DbTransaction? transaction)
    {
        var db = connection.Handle ?? throw new InvalidOperationException("The writer's SQLite connection is not open.");
        if (!_statements.TryGetValue((table, rows.Length), out var prepared))
        {
            Check(raw.sqlite3_prepare_v2(db, statement(table, rows.Length), out prepared), db);
            _statements.Add((table, rows.Length), prepared);
        }
        var index = 1;
        foreach (var row in rows)
        {
            foreach (var column in columns)
            {
                Check(SqliteValues.Bind(prepared, index++, column.ProviderValue(row)), db);
            }
        }
        var step = raw.sqlite3_step(prepared);
        try
        {
            if (step != raw.SQLITE_DONE)
            {
                SqliteException.ThrowExceptionForRC(step, db);
            }
        }
        finally
        {
            // Ready for the next batch, and (after a failed step) no longer holding anything of the transaction.
            raw.sqlite3_reset(prepared);
        }
        return Task.CompletedTask;
    }

    public override void Dispose()
    {
        foreach (var prepared in _statements.Values)
        {
            prepared.Dispose();
        }
        _statements.Clear();
    }

    private static void Check(int result, sqlite3 db)
    {
        if (result != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(result, db);
        }
    }
}
