using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Data.Common;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Newsstand.Data;

/// <summary>
/// Plain inserts of a group commit as multi-row <c>INSERT</c> statements, one per table and up to a bound of
/// parameters each, without EF Core's change tracker (which cost more CPU per row than everything else of the
/// commit). Columns, names and value conversions come from the EF model, so a row is stored exactly as SaveChanges
/// would store it. SQLite's statements stay prepared on the writer's connection (<see cref="PreparedInserts"/>): a
/// statement is parsed once per table and row count, not per commit, and bound by position on its own statement handles.
/// PostgreSQL's go into the commit's one batch (<see cref="AddTo"/>), which Npgsql prepares by their text.
/// Tables are written principals first, so a row may refer to a row of the same batch. A constraint a row breaks fails the statement, and the writer
/// redoes the batch write by write.
/// </summary>
internal sealed class RowInserter
{
    /// <summary>
    /// Parameters per SQLite statement. It was set when Microsoft.Data.Sqlite bound each parameter by name (a linear
    /// search of the statement's names, so binding one statement cost the square of its parameters: at 999 that search
    /// was ~6% of the silo's CPU under a stream of topic sends); SQLite's statements are now bound by position
    /// (<see cref="SqliteStatementInserts"/>), and the bound keeps the prepared statements per table few and small.
    /// </summary>
    private const int SqliteParametersPerStatement = 128;

    private readonly FrozenDictionary<Type, Table> _tables;
    private readonly ConcurrentDictionary<(Type Table, int Rows), string> _postgresStatements = new();
    private readonly int _maxParameters;
    private readonly bool _postgres;

    public RowInserter(IModel model, bool postgres)
    {
        // PostgreSQL allows 65,535 parameters.
        _maxParameters = postgres ? 30_000 : SqliteParametersPerStatement;
        _postgres = postgres;
        var order = DependencyOrder(model);
        _tables = model.GetEntityTypes().ToFrozenDictionary(e => e.ClrType, e => new Table(e, order.IndexOf(e)));
    }

    /// <summary>
    /// Inserts <paramref name="rows"/> (entities of the model) on the open connection in <paramref name="transaction"/>
    /// through <paramref name="statements"/> (prepared on that connection).
    /// </summary>
    public async Task InsertAsync(IReadOnlyList<object> rows, PreparedInserts statements, DbTransaction? transaction)
    {
        foreach (var (type, table, chunk) in Statements(rows))
        {
            await statements.InsertAsync(type, table.Columns, chunk, transaction);
        }
    }

    /// <summary>
    /// Adds the inserts of <paramref name="rows"/> (entities of the model) to <paramref name="batch"/> (PostgreSQL), bound by
    /// position through each column's type mapping; <paramref name="factory"/> is a command of the batch's provider that
    /// makes the parameters.
    /// </summary>
    public void AddTo(DbBatch batch, DbCommand factory, IReadOnlyList<object> rows)
    {
        foreach (var (type, table, chunk) in Statements(rows))
        {
            var command = batch.CreateBatchCommand();
            command.CommandText = _postgresStatements.GetOrAdd((type, chunk.Length), key => Statement(table, key.Rows));
            foreach (var row in chunk)
            {
                foreach (var column in table.Columns)
                {
                    command.Parameters.Add(column.Parameter(factory, "", row));
                }
            }
            batch.BatchCommands.Add(command);
        }
    }

    /// <summary>SQLite's insert statements for <paramref name="connection"/> (open), prepared as they are first used; dispose
    /// before the connection. PostgreSQL's go into each commit's batch instead (<see cref="AddTo"/>).</summary>
    public PreparedInserts Prepare(SqliteConnection connection) =>
        _postgres ? throw new InvalidOperationException("The inserter was made for PostgreSQL.") : new SqliteStatementInserts(connection, (type, rows) => Statement(TableOf(type), rows));

    /// <summary>The statements <paramref name="rows"/> take: by table, principals first, each up to the bound of parameters.</summary>
    private IEnumerable<(Type Type, Table Table, object[] Rows)> Statements(IReadOnlyList<object> rows)
    {
        foreach (var group in rows.GroupBy(r => r.GetType()).OrderBy(g => TableOf(g.Key).Order))
        {
            var table = TableOf(group.Key);
            var perStatement = Math.Max(1, _maxParameters / table.Columns.Length);
            foreach (var chunk in group.Chunk(perStatement))
            {
                yield return (group.Key, table, chunk);
            }
        }
    }

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
                sql.Append(c == 0 ? "" : ", ").Append(_postgres ? $"${n}" : $"?{n}");
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
