namespace Newsstand.Records;

/// <summary>Text limits of the original schema; they are part of the API contract.</summary>
public static class Limits
{
    public const int Name = 45;
    public const int LongName = 100;
    public const int ContentType = 20;
    public const int Password = 128;

    /// <summary>Ids and references are positive: the original clients never used zero or negatives.</summary>
    public const int MinId = 1;
}
