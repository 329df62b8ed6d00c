using System.Collections.Concurrent;
using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Newsstand.Data;

/// <summary>
/// Conditional replacements of a group commit (<see cref="WriteRow.IsCheckedUpdate"/>: a consumer's checkpoint moving on
/// from the position it read) as one plain <c>UPDATE … SET every column WHERE key AND each concurrency token = the
/// expected value</c> per row, without EF Core's change tracker (a SaveChanges per commit for one or two checkpoints
/// cost more than their statements). Names and value conversions come from the EF model, as for
/// <see cref="RowInserter"/>. A row the statement did not change (its stored tokens moved on, or it is gone) fails
/// the commit with <see cref="DbUpdateConcurrencyException"/>, as SaveChanges would, and the writer redoes the batch
/// write by write, where that unit alone fails as stale. SQLite runs each statement on its own
/// (<see cref="UpdateAsync"/>); PostgreSQL's join the commit's one batch (<see cref="AddTo"/>), checked before the commit.
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
    /// Adds the replacement of each row to <paramref name="batch"/> (PostgreSQL), in order; <paramref name="factory"/> is a
    /// command of the batch's provider that makes the parameters. Once the batch ran, and before its transaction commits,
    /// <see cref="EnsureApplied"/> checks that each changed its row.
    /// </summary>
    public IReadOnlyList<(DbBatchCommand Command, string Table)> AddTo(DbBatch batch, DbCommand factory, IEnumerable<WriteRow> rows)
    {
        var added = new List<(DbBatchCommand, string)>();
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
            added.Add((command, table.Name));
        }
        return added;
    }

    /// <summary>Fails with <see cref="DbUpdateConcurrencyException"/>, as SaveChanges would, if a replacement of the batch did
    /// not change exactly its one row.</summary>
    public static void EnsureApplied(IReadOnlyList<(DbBatchCommand Command, string Table)> replacements)
    {
        foreach (var (command, table) in replacements)
        {
            if (command.RecordsAffected != 1)
            {
                throw new DbUpdateConcurrencyException($"A {table} row was changed or removed since it was read.");
            }
        }
    }

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
            Sql = sql.ToString();
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
