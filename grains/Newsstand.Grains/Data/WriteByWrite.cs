using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Newsstand.Errors;

namespace Newsstand.Data;

/// <summary>
/// The slow path of a group commit whose batch broke a constraint: each write (a row or a unit) in its own
/// savepoint, so a bad write fails alone with its own explanation (409 or 422) and the others commit. Inside a unit,
/// an optional row (<see cref="WriteRow.Fallback"/>) that breaks a constraint is replaced by its fallback row.
/// </summary>
internal sealed class WriteByWrite(TableCatalog catalog)
{
    private const string UnitSavepoint = "unit";

    /// <summary>Writes <paramref name="rows"/> (one unit) in the open transaction; null when it was written, else why not.</summary>
    public async Task<Exception?> WriteAsync(DbContext context, IDbContextTransaction transaction, WriteRow[] rows)
    {
        try
        {
            if (rows.Any(r => r.Fallback is not null))
            {
                return await WriteWithFallbacksAsync(context, transaction, rows);
            }
            foreach (var row in rows)
            {
                row.Track(context);
            }
            // EF Core sets a savepoint around each SaveChanges inside a transaction and rolls back to it on failure.
            await context.SaveChangesAsync();
            return null;
        }
        catch (Exception error) when (StorageErrors.ViolationOf(error) is var violation and not StorageErrors.Violation.None)
        {
            context.ChangeTracker.Clear();
            return await ExplainAsync(context, rows.FirstOrDefault(r => r.Expected is not null && violation == StorageErrors.Violation.StaleRow, rows[0]), violation);
        }
        catch (InvalidOperationException error) when (!StorageErrors.IsStorageFailure(error))
        {
            // The unit carries one key twice: a caller's mistake, failed alone.
            return error;
        }
        finally
        {
            // A later write may carry a row with the same key as this one (a chain of conditional updates).
            context.ChangeTracker.Clear();
        }
    }

    /// <summary>Row by row inside a savepoint of the whole unit: a bad optional row is replaced by its fallback, any other
    /// bad row rolls the unit back.</summary>
    private async Task<Exception?> WriteWithFallbacksAsync(DbContext context, IDbContextTransaction transaction, WriteRow[] rows)
    {
        await transaction.CreateSavepointAsync(UnitSavepoint);
        try
        {
            foreach (var row in rows)
            {
                try
                {
                    row.Track(context);
                    await context.SaveChangesAsync();
                }
                catch (Exception error) when (row.Fallback is not null && StorageErrors.ViolationOf(error) is var violation and not StorageErrors.Violation.None)
                {
                    context.ChangeTracker.Clear();
                    row.Track(context, row.Fallback(await ExplainAsync(context, row, violation)));
                    await context.SaveChangesAsync();
                }
                finally
                {
                    context.ChangeTracker.Clear();
                }
            }
        }
        catch (Exception error) when (StorageErrors.ViolationOf(error) != StorageErrors.Violation.None || error is InvalidOperationException && !StorageErrors.IsStorageFailure(error))
        {
            await transaction.RollbackToSavepointAsync(UnitSavepoint);
            throw;
        }
        await transaction.ReleaseSavepointAsync(UnitSavepoint);
        return null;
    }

    /// <summary>The domain error of a row that broke <paramref name="violation"/>.</summary>
    private async Task<NewsstandException> ExplainAsync(DbContext context, WriteRow write, StorageErrors.Violation violation)
    {
        var row = write.Row;
        if (violation == StorageErrors.Violation.StaleRow)
        {
            return new StaleWriteException(context.Model.FindEntityType(row.GetType())?.GetTableName() ?? row.GetType().Name);
        }
        if (row is not Records.ITableRecord record)
        {
            var name = context.Model.FindEntityType(row.GetType())?.GetTableName() ?? row.GetType().Name;
            return new RecordConflictException("key", $"A {name} row with the same key already exists.");
        }
        var table = catalog[row.GetType()].Name;
        return violation switch
        {
            StorageErrors.Violation.UniqueUsername => new RecordConflictException("username", "The username is taken."),
            StorageErrors.Violation.ForeignKey when await catalog.FindMissingReferencesAsync(context, row) is { Count: > 0 } missing =>
                new MissingReferenceException(missing),
            StorageErrors.Violation.ForeignKey => new RecordConflictException("reference", $"A {table} reference collides with a concurrent change; retry."),
            _ => new RecordConflictException("id", $"{table} {record.Id} already exists."),
        };
    }
}
