using System.Collections.Frozen;
using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Newsstand.Data;

/// <summary>
/// Plain inserts of a group commit as multi-row <c>INSERT</c> statements, one per table and up to a bound of
/// parameters each, without EF Core's change tracker (which cost more CPU per row than everything else of the
/// commit). Columns, names and value conversions come from the EF model, each value bound through the column's own
/// type mapping, so a row is stored exactly as SaveChanges would store it. The commands stay prepared on the writer's
/// connection (<see cref="PreparedInserts"/>): a statement is parsed once per table and row count, not per commit.
/// Tables are written principals first, so a row may refer to a row of the same batch. A constraint a row breaks fails the statement, and the writer
/// redoes the batch write by write.
/// </summary>
internal sealed class RowInserter
{
    /// <summary>
    /// Parameters per SQLite statement. Microsoft.Data.Sqlite binds each parameter by name, and SQLite finds a name by a
    /// linear search of the statement's names, so binding one statement costs the square of its parameters: at 999 (the
    /// old limit) that search was ~6% of the silo's CPU under a stream of topic sends. About a hundred keeps the search
    /// short while a statement still carries a dozen rows or more.
    /// </summary>
    private const int SqliteParametersPerStatement = 128;

    private readonly FrozenDictionary<Type, Table> _tables;
    private readonly int _maxParameters;
    private readonly bool _positional;
    private readonly string[] _names;

    public RowInserter(IModel model, bool postgres)
    {
        // PostgreSQL allows 65,535 parameters and binds them by position.
        _maxParameters = postgres ? 30_000 : SqliteParametersPerStatement;
        _positional = postgres;
        _names = [.. Enumerable.Range(0, _maxParameters).Select(n => postgres ? "" : $"@p{n}")];
        var order = DependencyOrder(model);
        _tables = model.GetEntityTypes().ToFrozenDictionary(e => e.ClrType, e => new Table(e, order.IndexOf(e)));
    }

    /// <summary>
    /// Inserts <paramref name="rows"/> (entities of the model) on the context's open connection and transaction through
    /// <paramref name="commands"/> (prepared on that connection).
    /// </summary>
    public async Task InsertAsync(DbContext context, IReadOnlyList<object> rows, PreparedInserts commands)
    {
        var transaction = context.Database.CurrentTransaction?.GetDbTransaction();
        foreach (var group in rows.GroupBy(r => r.GetType()).OrderBy(g => TableOf(g.Key).Order))
        {
            var table = TableOf(group.Key);
            var perStatement = Math.Max(1, _maxParameters / table.Columns.Length);
            foreach (var chunk in group.Chunk(perStatement))
            {
                var command = commands.For(group.Key, chunk.Length, transaction);
                var n = 0;
                foreach (var row in chunk)
                {
                    foreach (var column in table.Columns)
                    {
                        column.Bind(command, _names[n], row);
                        n++;
                    }
                }
                await command.ExecuteNonQueryAsync();
            }
        }
    }

    /// <summary>Insert commands for <paramref name="connection"/> (open), prepared as they are first used; dispose before the connection.</summary>
    public PreparedInserts Prepare(DbConnection connection) => new(connection, (type, rows) => Statement(TableOf(type), rows));

    private Table TableOf(Type type) =>
        _tables.TryGetValue(type, out var table) ? table : throw new InvalidOperationException($"{type.Name} is not a row type of the data model.");

    private string Statement(Table table, int rows)
    {
        var sql = new StringBuilder("INSERT INTO \"").Append(table.Name).Append("\" (")
            .AppendJoin(", ", table.Columns.Select(c => $"\"{c.Name}\"")).Append(") VALUES ");
        var n = 0;
        for (var r = 0; r < rows; r++)
        {
            sql.Append(r == 0 ? "(" : ", (");
            for (var c = 0; c < table.Columns.Length; c++)
            {
                n++;
                sql.Append(c == 0 ? "" : ", ").Append(_positional ? $"${n}" : $"@p{n - 1}");
            }
            sql.Append(')');
        }
        return sql.ToString();
    }

    /// <summary>Entity types ordered so that every principal of a foreign key comes before its dependents.</summary>
    private static List<IEntityType> DependencyOrder(IModel model)
    {
        var order = new List<IEntityType>();
        var seen = new HashSet<IEntityType>();
        void Visit(IEntityType entity)
        {
            if (!seen.Add(entity))
            {
                return;
            }
            foreach (var key in entity.GetForeignKeys())
            {
                Visit(key.PrincipalEntityType);
            }
            order.Add(entity);
        }
        foreach (var entity in model.GetEntityTypes().OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            Visit(entity);
        }
        return order;
    }

    private sealed class Table(IEntityType entity, int order)
    {
        public string Name { get; } = entity.GetTableName()!;

        public int Order { get; } = order;

        public ModelColumn[] Columns { get; } = [.. entity.GetProperties().Select(ModelColumn.Of)];
    }

}
