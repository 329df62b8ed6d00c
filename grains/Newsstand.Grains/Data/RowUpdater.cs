using System.Collections.Concurrent;
using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;

namespace Newsstand.Data;

/// <summary>
/// Conditional replacements of a group commit (<see cref="WriteRow.IsCheckedUpdate"/>: a consumer's checkpoint moving on
/// from the position it read) as one plain <c>UPDATE … SET every column WHERE key AND each concurrency token = the
/// expected value</c> per row, without EF Core's change tracker (a SaveChanges per commit for one or two checkpoints
/// cost more than their statements). Names and value conversions come from the EF model, as for
/// <see cref="RowInserter"/>. A row the statement did not change (its stored tokens moved on, or it is gone) fails
/// the commit with <see cref="DbUpdateConcurrencyException"/>, as SaveChanges would, and the writer redoes the batch
/// write by write, where that unit alone fails as stale. SQLite runs each statement on its own and checks its count
/// (<see cref="UpdateAsync"/>). PostgreSQL's join the commit's one batch (<see cref="AddTo"/>) and check themselves on the
/// server: a statement that changed no row fails there, so the server rolls back the batch's transaction before it could
/// commit, and the commit needs no round trip of its own to check the counts first.
/// </summary>
internal sealed class RowUpdater(IModel model, bool positional)
{
    private readonly ConcurrentDictionary<Type, Table> _tables = new();

    /// <summary>Whether rows of <paramref name="type"/> can be replaced here: a table with no foreign keys (so no order of
    /// statements between tables matters), else they go through EF Core.</summary>
    public bool Handles(Type type) => model.FindEntityType(type) is { } entity && !entity.GetForeignKeys().Any();

    /// <summary>Replaces each row on the open <paramref name="connection"/> in <paramref name="transaction"/>, in order.</summary>
    public async Task UpdateAsync(DbConnection connection, DbTransaction transaction, IEnumerable<WriteRow> rows)
    {
        foreach (var row in rows)
        {
            var table = TableOf(row);
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = table.Sql;
            var n = 0;
            foreach (var (column, value) in table.Values(row))
            {
                column.Bind(command, Name(n++), value);
            }
            if (await command.ExecuteNonQueryAsync() != 1)
            {
                throw new DbUpdateConcurrencyException($"A {table.Name} row was changed or removed since it was read.");
            }
        }
    }

    /// <summary>
    /// Adds the replacement of each row to <paramref name="batch"/> (PostgreSQL), in order, and returns how many;
    /// <paramref name="factory"/> is a command of the batch's provider that makes the parameters. A replacement that changes
    /// no row fails the batch on the server (<see cref="StaleRowOf"/>).
    /// </summary>
    public int AddTo(DbBatch batch, DbCommand factory, IEnumerable<WriteRow> rows)
    {
        var added = 0;
        foreach (var row in rows)
        {
            var table = TableOf(row);
            var command = batch.CreateBatchCommand();
            command.CommandText = table.Sql;
            foreach (var (column, value) in table.Values(row))
            {
                command.Parameters.Add(column.Parameter(factory, "", value));
            }
            batch.BatchCommands.Add(command);
            added++;
        }
        return added;
    }

    /// <summary>
    /// The <see cref="DbUpdateConcurrencyException"/> SaveChanges would have thrown, when <paramref name="error"/> is a
    /// replacement's guard finding no row changed (its division by zero; the batch's other statements, plain inserts,
    /// divide nothing); else null. Npgsql does not say which command of a batch failed.
    /// </summary>
    public static DbUpdateConcurrencyException? StaleRowOf(PostgresException error) =>
        error.SqlState == PostgresErrorCodes.DivisionByZero
            ? new DbUpdateConcurrencyException("A row to replace was changed or removed since it was read.", error)
            : null;

    private Table TableOf(WriteRow row) => _tables.GetOrAdd(row.Row.GetType(), type => new Table(model.FindEntityType(type)!, positional));

    private string Name(int n) => positional ? "" : $"@p{n}";

    private sealed class Table
    {
        public Table(IEntityType entity, bool positional)
        {
            Name = entity.GetTableName()!;
            var key = entity.FindPrimaryKey()!.Properties;
            Keys = [.. key.Select(ModelColumn.Of)];
            Set = [.. entity.GetProperties().Where(p => !key.Contains(p)).Select(ModelColumn.Of)];
            Tokens = [.. entity.GetProperties().Where(p => p.IsConcurrencyToken).Select(ModelColumn.Of)];
            var n = 0;
            string Next() => positional ? $"${++n}" : $"@p{n++}";
            var sql = new StringBuilder("UPDATE \"").Append(Name).Append("\" SET ");
            sql.AppendJoin(", ", Set.Select(c => $"\"{c.Name}\" = {Next()}"));
            sql.Append(" WHERE ").AppendJoin(" AND ", Keys.Concat(Tokens).Select(c => $"\"{c.Name}\" = {Next()}"));
            // PostgreSQL's statement checks its own count: 1 / 0 when the UPDATE changed no row fails the statement, and
            // with it the transaction, on the server (the key is the table's primary key, so the count is 0 or 1).
            Sql = positional ? $"WITH changed AS ({sql} RETURNING 1) SELECT 1 / count(*) FROM changed" : sql.ToString();
        }

        public string Name { get; }

        public ModelColumn[] Keys { get; }

        public ModelColumn[] Set { get; }

        public ModelColumn[] Tokens { get; }

        public string Sql { get; }

        /// <summary>The statement's parameters in order: each column with the row whose value it takes (the tokens: the expected row's).</summary>
        public IEnumerable<(ModelColumn Column, object Row)> Values(WriteRow row) =>
            Set.Concat(Keys).Select(c => (c, row.Row)).Concat(Tokens.Select(c => (c, row.Expected ?? row.Row)));
    }
}
