using System.Data.Common;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Newsstand.Errors;
using Npgsql;

namespace Newsstand.Data;

/// <summary>
/// Group commit: writes queued by any grain are committed together, one transaction and one sync to disk for all
/// of them, and each waiting grain learns its own write's fate. A write is one row or a unit of rows that commit
/// together. Plain inserts go in as multi-row statements (<see cref="RowInserter"/>), conditional replacements as plain
/// <c>UPDATE</c>s (<see cref="RowUpdater"/>), anything else through EF Core, on one context whose connection stays
/// open from commit to commit with its insert statements prepared (both closed after any failure). On PostgreSQL the
/// plain statements of a commit go in one batch: a commit of plain rows alone is one round trip, one with rows
/// of EF Core's two.
/// A batch that breaks a constraint is redone write by write (<see cref="WriteByWrite"/>), each write in its own
/// savepoint, so only the bad writes fail. A write's task completes only after its transaction committed, so a 2xx
/// built on it means the rows are durable. A failure while committing is an unknown outcome, never redone: its
/// writes fail with <see cref="CommitOutcomeUnknownException"/>.
/// </summary>
internal sealed partial class GroupCommitWriter : IAsyncDisposable
{
    /// <summary>Makes the parameters of PostgreSQL's batch commands (EF Core's type mappings make a parameter through a
    /// command; this one is never run).</summary>
    private static readonly NpgsqlCommand PostgresParameters = new();

    private readonly Channel<PendingWrite> _queue;
    private readonly Func<NewsstandDbContext> _create;
    private readonly RowInserter _inserter;
    private readonly RowUpdater _updater;
    private readonly WriteByWrite _writeByWrite;
    private readonly int _batchSize;
    private readonly ILogger _logger;
    private readonly Histogram<int> _batchRows;
    private readonly Task _loop;
    private NewsstandDbContext? _context;
    private PreparedInserts? _inserts;

    public GroupCommitWriter(Func<NewsstandDbContext> create, TableCatalog catalog, RowInserter inserter, RowUpdater updater, DatabaseOptions options, TaskScheduler scheduler,
        ILogger logger, Meter meter)
    {
        _create = create;
        _inserter = inserter;
        _updater = updater;
        _writeByWrite = new WriteByWrite(catalog);
        _batchSize = options.WriteBatchSize;
        _logger = logger;
        _queue = Channel.CreateBounded<PendingWrite>(new BoundedChannelOptions(options.WriteQueueLength) { SingleReader = true });
        meter.CreateObservableGauge("newsstand.storage.write_queue_depth", () => _queue.Reader.Count, "{row}", "Writes waiting for the next group commit.");
        _batchRows = meter.CreateHistogram<int>("newsstand.storage.commit_rows", "{row}", "Rows per group commit.");
        // The loop and every continuation inside it run on the given scheduler (SQLite: its writer thread).
        _loop = Task.Factory.StartNew(RunAsync, CancellationToken.None, TaskCreationOptions.None, scheduler).Unwrap();
    }

    /// <summary>Inserts (<see cref="EntityState.Added"/>) or replaces (<see cref="EntityState.Modified"/>) <paramref name="row"/>;
    /// completes once committed, or fails with the row's own domain error, <see cref="StorageUnavailableException"/> or
    /// <see cref="CommitOutcomeUnknownException"/>.</summary>
    public Task WriteAsync(object row, EntityState state) => WriteUnitAsync([new WriteRow(row, state)]);

    /// <summary>Commits <paramref name="rows"/> as one unit: all of them or none (an optional row's fallback stands in for
    /// it). A unit that fails is explained by its first row (its domain error), or fails with <see cref="StaleWriteException"/>
    /// when a conditional row found its stored row changed.</summary>
    public Task WriteUnitAsync(WriteRow[] rows)
    {
        var write = new PendingWrite(rows);
        return _queue.Writer.TryWrite(write) ? write.Completion.Task : throw new OverloadedException("storage", 1);
    }

    public async ValueTask DisposeAsync()
    {
        // Writes already queued are still committed before the silo lets go of the database.
        _queue.Writer.TryComplete();
        await _loop.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task RunAsync()
    {
        try
        {
            await DrainQueueAsync();
        }
        finally
        {
            await CloseContextAsync();
        }
    }

    private async Task DrainQueueAsync()
    {
        var batch = new List<PendingWrite>(_batchSize);
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < _batchSize && _queue.Reader.TryRead(out var write))
            {
                batch.Add(write);
            }
            try
            {
                await CommitAsync(batch);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                // Whatever went wrong, the loop must outlive it: a dead loop would leave every later write waiting forever.
                LogCommitFailed(error, batch.Count);
                await CloseContextAsync();
                foreach (var write in batch)
                {
                    write.Completion.TrySetException(error);
                }
            }
            _batchRows.Record(batch.Count);
            batch.Clear();
        }
    }

    private async Task CommitAsync(List<PendingWrite> batch)
    {
        var committing = false;
        try
        {
            var (context, inserts) = await OpenContextAsync();
            var connection = context.Database.GetDbConnection();
            var rows = batch.SelectMany(w => w.Rows).ToArray();
            object[] plainInserts = [.. rows.Where(r => r.IsPlainInsert).Select(r => r.Row)];
            var tracked = rows.Where(r => !r.IsPlainInsert && !IsPlainUpdate(r)).ToArray();
            if (connection is NpgsqlConnection postgres && tracked.Length == 0)
            {
                // PostgreSQL runs the statements of one batch (up to its one Sync) as one implicit transaction and commits
                // it before it answers: a commit of plain rows is one round trip (BEGIN with the statements, then COMMIT,
                // took two). A conditional row checks its own count on the server, so a stale one rolls the batch back
                // before it commits. Once the batch is sent, a failure may come after the commit, unless the server refused it.
                await using var statements = BatchOf(postgres, null, plainInserts, rows.Where(IsPlainUpdate));
                committing = true;
                await statements.ExecuteAsync();
            }
            else
            {
                // The connection's own transaction, not EF Core's (its begin and commit were ~4% of the silo's CPU per
                // insert): EF joins it only for a batch with rows of its own.
                await using var transaction = await connection.BeginTransactionAsync();
                await WritePlainAsync(connection, transaction, plainInserts, rows.Where(IsPlainUpdate), inserts);
                if (tracked.Length > 0)
                {
                    await SaveTrackedAsync(context, transaction, tracked);
                }
                committing = true;
                await transaction.CommitAsync();
            }
            foreach (var write in batch)
            {
                write.Completion.TrySetResult();
            }
        }
        catch (Exception error) when ((committing && !StorageErrors.IsRefusal(error)) || StorageErrors.IsOutage(error))
        {
            await CloseContextAsync();
            Fail(batch, error, committing);
        }
        catch (Exception error) when (StorageErrors.ViolationOf(error) != StorageErrors.Violation.None || error is InvalidOperationException)
        {
            await CloseContextAsync();
            // A row broke a constraint, or two writes of the batch carry the same key (units updating one row): each
            // write needs its own savepoint.
            await CommitWriteByWriteAsync(batch);
        }
        catch (Exception error) when (StorageErrors.IsStorageFailure(error))
        {
            await CloseContextAsync();
            Fail(batch, error, committing: false);
        }
    }

    /// <summary>
    /// The plain inserts and conditional replacements of a commit in <paramref name="transaction"/>: on PostgreSQL in one
    /// batch (<see cref="BatchOf"/>), on SQLite through its prepared statements.
    /// </summary>
    private async Task WritePlainAsync(DbConnection connection, DbTransaction transaction, object[] inserts, IEnumerable<WriteRow> updates,
        PreparedInserts? statements)
    {
        if (connection is NpgsqlConnection postgres)
        {
            await using var batch = BatchOf(postgres, (NpgsqlTransaction)transaction, inserts, updates);
            await batch.ExecuteAsync();
            return;
        }
        await _inserter.InsertAsync(inserts, statements!, transaction);
        await _updater.UpdateAsync(connection, transaction, updates);
    }

    /// <summary>
    /// The plain inserts and conditional replacements of a commit as one PostgreSQL batch, one round trip: in
    /// <paramref name="transaction"/>, or without one in the batch's implicit transaction, committed when the server answers.
    /// </summary>
    private PostgresBatch BatchOf(NpgsqlConnection connection, NpgsqlTransaction? transaction, object[] inserts, IEnumerable<WriteRow> updates)
    {
        var batch = connection.CreateBatch();
        batch.Transaction = transaction;
        try
        {
            _inserter.AddTo(batch, PostgresParameters, inserts);
            return new PostgresBatch(batch, _updater.AddTo(batch, PostgresParameters, updates));
        }
        catch
        {
            batch.Dispose();
            throw;
        }
    }

    /// <summary>Writes <paramref name="rows"/> through EF Core's change tracker in <paramref name="transaction"/>, then forgets them.</summary>
    private static async Task SaveTrackedAsync(NewsstandDbContext context, DbTransaction transaction, IEnumerable<WriteRow> rows)
    {
        await context.Database.UseTransactionAsync(transaction);
        try
        {
            foreach (var row in rows)
            {
                row.Track(context);
            }
            await context.SaveChangesAsync();
        }
        finally
        {
            context.ChangeTracker.Clear();
            await context.Database.UseTransactionAsync(null);
        }
    }

    private bool IsPlainUpdate(WriteRow row) => row.IsCheckedUpdate && _updater.Handles(row.Row.GetType());

    /// <summary>
    /// The writer's context with its connection open: kept from one group commit to the next, so a commit does not pay
    /// for taking a connection from the pool, setting it up (SQLite's durability pragma) and giving it back, nor for
    /// preparing its insert statements again. Any failure closes it; the next commit opens a fresh one.
    /// </summary>
    private async Task<(NewsstandDbContext Context, PreparedInserts? Inserts)> OpenContextAsync()
    {
        if (_context is null)
        {
            var context = _create();
            try
            {
                await context.Database.OpenConnectionAsync();
            }
            catch
            {
                await context.DisposeAsync();
                throw;
            }
            _context = context;
            _inserts = context.Database.GetDbConnection() is SqliteConnection sqlite ? _inserter.Prepare(sqlite) : null;
        }
        return (_context, _inserts);
    }

    private async Task CloseContextAsync()
    {
        // The statements first: none may outlive the connection they were prepared on.
        _inserts?.Dispose();
        _inserts = null;
        if (_context is { } context)
        {
            _context = null;
            await context.DisposeAsync();
        }
    }

    private async Task CommitWriteByWriteAsync(List<PendingWrite> batch)
    {
        var outcomes = new Exception?[batch.Count];
        var committing = false;
        try
        {
            await using var context = _create();
            await using var transaction = await context.Database.BeginTransactionAsync();
            for (var i = 0; i < batch.Count; i++)
            {
                outcomes[i] = await _writeByWrite.WriteAsync(context, transaction, batch[i].Rows);
            }
            committing = true;
            await transaction.CommitAsync();
        }
        catch (Exception error) when (committing || StorageErrors.IsStorageFailure(error))
        {
            Fail(batch, error, committing);
            return;
        }
        for (var i = 0; i < batch.Count; i++)
        {
            if (outcomes[i] is { } failure)
            {
                batch[i].Completion.TrySetException(failure);
            }
            else
            {
                batch[i].Completion.TrySetResult();
            }
        }
    }

    /// <summary>
    /// Fails every write of the batch: with <see cref="CommitOutcomeUnknownException"/> when the failure came while
    /// committing (the COMMIT may have landed before the connection broke), else with
    /// <see cref="StorageUnavailableException"/> (the transaction never committed: nothing was stored).
    /// </summary>
    private void Fail(List<PendingWrite> batch, Exception error, bool committing)
    {
        var cause = StorageErrors.RootCause(error);
        // A failure once the commit was sent leaves its outcome unknown, unless the server refused it (an ERROR answer to
        // the batch or to COMMIT rolled it back: nothing of it was stored).
        var unknown = committing && !StorageErrors.IsRefusal(error);
        if (unknown)
        {
            LogOutcomeUnknown(cause.GetType().Name, cause.Message, batch.Count);
        }
        else
        {
            LogStorageFailure(cause.GetType().Name, cause.Message, batch.Count);
        }
        foreach (var write in batch)
        {
            write.Completion.TrySetException(unknown
                ? new CommitOutcomeUnknownException(StorageErrors.RetryAfterSeconds)
                : new StorageUnavailableException(cause.GetType().Name, StorageErrors.RetryAfterSeconds));
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The database refused a group commit ({Error}: {Reason}); {Rows} writes answered 503.")]
    private partial void LogStorageFailure(string error, string reason, int rows);

    [LoggerMessage(Level = LogLevel.Error, Message = "The database refused a group commit while committing ({Error}: {Reason}); the outcome of {Rows} writes is unknown, each answered 503.")]
    private partial void LogOutcomeUnknown(string error, string reason, int rows);

    [LoggerMessage(Level = LogLevel.Critical, Message = "A group commit failed unexpectedly; its {Rows} writes failed and the writer goes on.")]
    private partial void LogCommitFailed(Exception error, int rows);

    /// <summary>A commit's statements for PostgreSQL, <paramref name="Replacements"/> of them conditional (<see cref="RowUpdater"/>).</summary>
    private sealed record PostgresBatch(NpgsqlBatch Batch, int Replacements) : IAsyncDisposable
    {
        /// <summary>Runs the statements; a replacement that found its row changed fails with <see cref="DbUpdateConcurrencyException"/>,
        /// as SaveChanges would (the server rolled the transaction back).</summary>
        public async Task ExecuteAsync()
        {
            if (Batch.BatchCommands.Count == 0)
            {
                return;
            }
            try
            {
                await Batch.ExecuteNonQueryAsync();
            }
            catch (PostgresException error) when (Replacements > 0 && RowUpdater.StaleRowOf(error) is { } stale)
            {
                throw stale;
            }
        }

        public ValueTask DisposeAsync() => Batch.DisposeAsync();
    }

    private sealed class PendingWrite(WriteRow[] rows)
    {
        public WriteRow[] Rows { get; } = rows;

        // Continuations never run on the writer's thread: they belong to the grains that wait.
        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
