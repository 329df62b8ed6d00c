using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Newsstand.Errors;

namespace Newsstand.Data;

/// <summary>
/// Group commit: writes queued by any grain are committed together, one transaction and one sync to
/// disk for all of them, and each waiting grain learns its own write's fate. A write is one row or a unit
/// of rows that commit together. A batch that breaks a constraint is redone write by write, each write in
/// its own savepoint, so only the bad writes fail (a unit as a whole). A write's task completes only after
/// its transaction committed, so a 2xx built on it means the rows are durable.
/// </summary>
internal sealed partial class GroupCommitWriter : IAsyncDisposable
{
    private readonly Channel<PendingWrite> _queue;
    private readonly Func<NewsstandDbContext> _create;
    private readonly TableCatalog _catalog;
    private readonly int _batchSize;
    private readonly ILogger _logger;
    private readonly Histogram<int> _batchRows;
    private readonly Task _loop;

    public GroupCommitWriter(Func<NewsstandDbContext> create, TableCatalog catalog, DatabaseOptions options, TaskScheduler scheduler, ILogger logger, Meter meter)
    {
        _create = create;
        _catalog = catalog;
        _batchSize = options.WriteBatchSize;
        _logger = logger;
        _queue = Channel.CreateBounded<PendingWrite>(new BoundedChannelOptions(options.WriteQueueLength) { SingleReader = true });
        meter.CreateObservableGauge("newsstand.storage.write_queue_depth", () => _queue.Reader.Count, "{row}", "Writes waiting for the next group commit.");
        _batchRows = meter.CreateHistogram<int>("newsstand.storage.commit_rows", "{row}", "Rows per group commit.");
        // The loop and every continuation inside it run on the given scheduler (SQLite: its writer thread).
        _loop = Task.Factory.StartNew(RunAsync, CancellationToken.None, TaskCreationOptions.None, scheduler).Unwrap();
    }

    /// <summary>Inserts (<see cref="EntityState.Added"/>) or replaces (<see cref="EntityState.Modified"/>) <paramref name="row"/>;
    /// completes once committed, or fails with the row's own domain error or <see cref="StorageUnavailableException"/>.</summary>
    public Task WriteAsync(object row, EntityState state) => WriteUnitAsync([new WriteRow(row, state)]);

    /// <summary>Commits <paramref name="rows"/> as one unit: all of them or none. A unit that fails is explained by
    /// its first row (its domain error), or fails with <see cref="StaleWriteException"/> when a conditional row
    /// found its stored row changed.</summary>
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
        try
        {
            await using (var context = _create())
            {
                foreach (var write in batch)
                {
                    write.Track(context);
                }
                await context.SaveChangesAsync();
            }
            foreach (var write in batch)
            {
                write.Completion.TrySetResult();
            }
        }
        catch (Exception error) when (StorageErrors.ViolationOf(error) != StorageErrors.Violation.None)
        {
            await CommitEachAsync(batch);
        }
        catch (InvalidOperationException)
        {
            // Two writes of the batch carry the same key (units updating one row): each needs its own savepoint.
            await CommitEachAsync(batch);
        }
        catch (Exception error) when (StorageErrors.IsStorageFailure(error))
        {
            FailAll(batch, error);
        }
    }

    /// <summary>The batch again, each write (row or unit) in its own savepoint (EF Core sets one around each SaveChanges inside a transaction).</summary>
    private async Task CommitEachAsync(List<PendingWrite> batch)
    {
        var outcomes = new Exception?[batch.Count];
        try
        {
            await using var context = _create();
            await using var transaction = await context.Database.BeginTransactionAsync();
            for (var i = 0; i < batch.Count; i++)
            {
                try
                {
                    batch[i].Track(context);
                    await context.SaveChangesAsync();
                }
                catch (Exception error) when (StorageErrors.ViolationOf(error) is var violation and not StorageErrors.Violation.None)
                {
                    context.ChangeTracker.Clear();
                    outcomes[i] = await ExplainAsync(context, batch[i], violation);
                }
                catch (InvalidOperationException error)
                {
                    // The unit carries one key twice: a caller's mistake, failed alone.
                    outcomes[i] = error;
                }
                // A later write may carry a row with the same key as this one (a chain of conditional updates).
                context.ChangeTracker.Clear();
            }
            await transaction.CommitAsync();
        }
        catch (Exception error) when (StorageErrors.IsStorageFailure(error))
        {
            FailAll(batch, error);
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

    private async Task<NewsstandException> ExplainAsync(DbContext context, PendingWrite write, StorageErrors.Violation violation)
    {
        var row = write.Rows[0].Row;
        if (violation == StorageErrors.Violation.StaleRow)
        {
            var stale = write.Rows.FirstOrDefault(r => r.Expected is not null).Row ?? row;
            return new StaleWriteException(context.Model.FindEntityType(stale.GetType())?.GetTableName() ?? stale.GetType().Name);
        }
        if (row is not Records.ITableRecord record)
        {
            var name = context.Model.FindEntityType(row.GetType())?.GetTableName() ?? row.GetType().Name;
            return new RecordConflictException("key", $"A {name} row with the same key already exists.");
        }
        var table = _catalog[row.GetType()].Name;
        var id = record.Id;
        return violation switch
        {
            StorageErrors.Violation.UniqueUsername => new RecordConflictException("username", "The username is taken."),
            StorageErrors.Violation.ForeignKey when await _catalog.FindMissingReferencesAsync(context, row) is { Count: > 0 } missing =>
                new MissingReferenceException(missing),
            StorageErrors.Violation.ForeignKey => new RecordConflictException("reference", $"A {table} reference collides with a concurrent change; retry."),
            _ => new RecordConflictException("id", $"{table} {id} already exists."),
        };
    }

    private void FailAll(List<PendingWrite> batch, Exception error)
    {
        var cause = StorageErrors.RootCause(error);
        LogStorageFailure(cause.GetType().Name, cause.Message, batch.Count);
        foreach (var write in batch)
        {
            write.Completion.TrySetException(new StorageUnavailableException(cause.GetType().Name, StorageErrors.RetryAfterSeconds));
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A group commit failed unexpectedly; its writes fail, the writer goes on.")]
    private partial void LogWriterFault(Exception fault);

    [LoggerMessage(Level = LogLevel.Error, Message = "The database refused a group commit ({Error}: {Reason}); {Rows} writes answered 503.")]
    private partial void LogStorageFailure(string error, string reason, int rows);

    [LoggerMessage(Level = LogLevel.Critical, Message = "A group commit failed unexpectedly; its {Rows} writes failed and the writer goes on.")]
    private partial void LogCommitFailed(Exception error, int rows);

    private sealed class PendingWrite(WriteRow[] rows)
    {
        public WriteRow[] Rows { get; } = rows;

        public void Track(DbContext context)
        {
            foreach (var row in Rows)
            {
                row.Track(context);
            }
        }

        // Continuations never run on the writer's thread: they belong to the grains that wait.
        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
