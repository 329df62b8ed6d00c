namespace Newsstand.Grains;

/// <summary>
/// A row written in the same transaction as an owner's own write: both commit, or neither does. With
/// <see cref="Expected"/> the row replaces the stored row with the same key only if that row still equals
/// <see cref="Expected"/> in its concurrency tokens (otherwise the write fails with
/// <see cref="Errors.StaleWriteException"/>); without it the row is inserted. Its type must be a stored
/// row of the silo's data model and serializable.
/// </summary>
[GenerateSerializer, Immutable, Alias("Newsstand.CompanionRow")]
public sealed record CompanionRow([property: Id(0)] object Row, [property: Id(1)] object? Expected);
