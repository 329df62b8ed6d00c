using Microsoft.EntityFrameworkCore;

namespace Newsstand.Data;

/// <summary>
/// One row of a write unit: inserted (<see cref="EntityState.Added"/>) or replacing the stored row with the
/// same key (<see cref="EntityState.Modified"/>). With <see cref="Expected"/> a replacement is conditional:
/// it applies only if the stored row still has <see cref="Expected"/>'s concurrency tokens.
/// </summary>
internal readonly record struct WriteRow(object Row, EntityState State, object? Expected = null)
{
    /// <summary>Puts the row into <paramref name="context"/>'s change tracker, ready for SaveChanges.</summary>
    public void Track(DbContext context)
    {
        var entry = context.Entry(Row);
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
