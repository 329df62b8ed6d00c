using System.Data.Common;

namespace Newsstand.Data;

/// <summary>
/// The group commit's insert statements on its one open connection, one per table and row count, kept from commit to
/// commit: the database prepares a statement once (parsing a multi-row <c>INSERT</c> and compiling its foreign-key
/// checks was ~4% of the silo's CPU per insert when every commit prepared its statements again); each execution binds
/// the batch's values to it. Belongs to one connection and is disposed before it (the writer closes both after any
/// failure): a statement never outlives its connection. SQLite's (<see cref="SqliteStatementInserts"/>) are bound by
/// position on its own statements; PostgreSQL's inserts go into each commit's one batch instead (<see cref="RowInserter.AddTo"/>).
/// </summary>
internal abstract class PreparedInserts : IDisposable
{
    /// <summary>Inserts <paramref name="rows"/> (entities of one table) with the statement for their count, in <paramref name="transaction"/>.</summary>
    public abstract Task InsertAsync(Type table, IReadOnlyList<ModelColumn> columns, object[] rows, DbTransaction? transaction);

    public abstract void Dispose();
}
