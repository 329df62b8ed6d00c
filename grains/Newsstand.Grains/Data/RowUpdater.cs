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
/// write by write, where that unit alone fails as stale.
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
            var table = _tables.GetOrAdd(row.Row.GetType(), type => new Table(model.FindEntityType(type)!, positional));
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = table.Sql;
            var n = 0;
            foreach (var column in table.Set)
            {
                column.Bind(command, Name(n++), row.Row);
            }
            foreach (var column in table.Keys)
            {
                column.Bind(command, Name(n++), row.Row);
            }
            foreach (var column in table.Tokens)
            {
                column.Bind(command, Name(n++), row.Expected ?? row.Row);
            }
            if (await command.ExecuteNonQueryAsync() != 1)
            {
                throw new DbUpdateConcurrencyException($"A {table.Name} row was changed or removed since it was read.");
            }
        }
    }

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
    }
}
