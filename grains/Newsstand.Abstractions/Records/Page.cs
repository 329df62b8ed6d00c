namespace Newsstand.Records;

/// <summary>A window of a list ordered by id; <see cref="Limit"/> null means to the end.</summary>
[GenerateSerializer, Immutable, Alias("Newsstand.Page")]
public sealed record Page([property: Id(0)] int Offset, [property: Id(1)] int? Limit)
{
    public const int MaxLimit = 10_000;

    public static Page All { get; } = new(0, null);

    public bool IsAll => Offset == 0 && Limit is null;
}
