using System.ComponentModel.DataAnnotations;

namespace Newsstand.Records;

/// <summary>
/// A text column: well-formed Unicode, no NUL, and at most <see cref="MaxLength"/> characters, where a
/// character is a Unicode scalar value (a code point that is not a surrogate). That is what
/// PostgreSQL's <c>varchar(n)</c> counts, so a value that passes here always fits its column: 45 emoji
/// fit a 45-character field although they take 90 UTF-16 units. NUL is refused for every database
/// because PostgreSQL cannot store it in text. Combining sequences count each scalar value (a flag
/// emoji is two characters), as PostgreSQL counts them.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class TextAttribute : ValidationAttribute
{
    /// <summary>Text without a length limit (a <c>text</c> column): only well-formed and free of NUL.</summary>
    public TextAttribute() : this(int.MaxValue)
    {
    }

    public TextAttribute(int maxLength) => MaxLength = maxLength;

    public int MaxLength { get; }

    /// <summary>What is wrong with <paramref name="text"/> as a column of <paramref name="maxLength"/> characters, or null.</summary>
    public static string? Problem(string text, int maxLength) =>
        Malformation(text, out var characters)
        ?? (characters > maxLength ? $"The field must be at most {maxLength} characters; it has {characters}." : null);

    /// <summary>Characters of <paramref name="text"/> as this contract counts them (Unicode scalar values).</summary>
    public static int Count(string text)
    {
        Malformation(text, out var characters);
        return characters;
    }

    private static string? Malformation(string text, out int characters)
    {
        characters = 0;
        for (var i = 0; i < text.Length; i++, characters++)
        {
            var c = text[i];
            if (c == '\0')
            {
                return "The field must not contain a NUL character (U+0000).";
            }
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return "The field must be well-formed Unicode text (it has an unpaired surrogate).";
            }
        }
        return null;
    }

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        value is string text && Problem(text, MaxLength) is { } problem
            ? new ValidationResult(problem, validationContext.MemberName is { } member ? [member] : null)
            : ValidationResult.Success;
}
