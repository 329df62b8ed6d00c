using Microsoft.EntityFrameworkCore;
using Newsstand.Errors;

namespace Newsstand.Data;

/// <summary>
/// One row of a write unit: inserted (<see cref="EntityState.Added"/>) or replacing the stored row with the
/// same key (<see cref="EntityState.Modified"/>). With <see cref="Expected"/> a replacement is conditional:
/// it applies only if the stored row still has <see cref="Expected"/>'s concurrency tokens. With
/// <see cref="Fallback"/> an insert is optional: if the row breaks a constraint, the row the fallback makes of
/// the row's own error is written instead and the rest of the unit still commits.
/// </summary>
internal readonly record struct WriteRow(object Row, EntityState State, object? Expected = null, Func<NewsstandException, object>? Fallback = null)
{
    /// <summary>A plain insert: written by the writer's multi-row statements, not by EF Core's change tracker.</summary>
    public bool IsPlainInsert => State == EntityState.Added && Expected is null;

    /// <summary>A conditional replacement with no fallback: written by the writer's plain <c>UPDATE</c> statements
    /// (<see cref="RowUpdater"/>) when its table allows, not by EF Core's change tracker.</summary>
    public bool IsCheckedUpdate => State == EntityState.Modified && Expected is not null && Fallback is null;

    /// <summary>Puts the row into <paramref name="context"/>'s change tracker, ready for SaveChanges.</summary>
    public void Track(DbContext context) => Track(context, Row);

    /// <summary>Tracks <paramref name="row"/> (this row, or its fallback) as this write row says.</summary>
    public void Track(DbContext context, object row)
    {
        var entry = context.Entry(row);
        entry.State = State;
        if (Expected is null)
        {
            return;
        }
        // Optimistic concurrency: the UPDATE's WHERE compares each token with the value the writer expects.
        foreach (var property in entry.Properties.Where(p => p.Metadata.IsConcurrencyToken))
        {
            property.OriginalValue = property.Metadata.PropertyInfo!.GetValue(Expected);
        }
    }
}
