using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Newsstand.Api.Errors;

namespace Newsstand.Api.Binding;

/// <summary>
/// A request body of type <typeparamref name="T"/>, read and validated as a whole: media type (415),
/// size (413), JSON syntax, then every field's text, presence and type, then the record's limits and
/// rules (400 naming each bad field). Nothing reaches a grain unless all of it passes.
/// </summary>
internal sealed class JsonBody<T>(T value) where T : class
{
    // Duplicates are allowed by the parser so that the answer can name the repeated property (FindDuplicate).
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 32 };

    public T Value { get; } = value;

    public static async ValueTask<JsonBody<T>?> BindAsync(HttpContext context)
    {
        var request = context.Request;
        if (!request.HasJsonContentType() || IsEncoded(request))
        {
            throw BodyProblems.NotJsonError();
        }
        using var body = await RequestBodyBuffer.ReadAsync(request, context.RequestAborted);
        using var document = Parse(body.Memory);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw RequestValidationException.For("body", "The body must be a JSON object.");
        }
        if (FindDuplicate(document.RootElement) is { } repeated)
        {
            throw RequestValidationException.For(repeated, "The property appears more than once in the body.");
        }
        var errors = new Dictionary<string, string[]>();
        RecordShape<T>.Check(document.RootElement, errors);
        if (errors.Count > 0)
        {
            throw new RequestValidationException(errors);
        }
        var value = document.RootElement.Deserialize<T>(NewsstandJson.Options)!;
        CheckLimits(value, errors);
        return errors.Count > 0 ? throw new RequestValidationException(errors) : new JsonBody<T>(value);
    }

    /// <summary>A compressed body (any <c>Content-Encoding</c> but identity) is refused like any other media type the route does not read.</summary>
    private static bool IsEncoded(HttpRequest request) =>
        request.Headers.ContentEncoding.Any(coding => !string.Equals(coding?.Trim(), "identity", StringComparison.OrdinalIgnoreCase));

    /// <summary>The first property name an object of the body repeats, at any depth; null when none does.</summary>
    private static string? FindDuplicate(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                HashSet<string>? seen = null;
                foreach (var property in element.EnumerateObject())
                {
                    if (!(seen ??= new HashSet<string>(StringComparer.Ordinal)).Add(property.Name))
                    {
                        return property.Name;
                    }
                    if (FindDuplicate(property.Value) is { } nested)
                    {
                        return nested;
                    }
                }
                return null;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    if (FindDuplicate(item) is { } nested)
                    {
                        return nested;
                    }
                }
                return null;
            default:
                return null;
        }
    }

    private static JsonDocument Parse(ReadOnlyMemory<byte> body)
    {
        try
        {
            return JsonDocument.Parse(body, DocumentOptions);
        }
        catch (JsonException ex)
        {
            // The parser's own message quotes the offending character, which may be part of a password:
            // only the position goes back.
            throw RequestValidationException.For("body", $"The body is not valid JSON (line {ex.LineNumber + 1 ?? 1}, byte {ex.BytePositionInLine + 1 ?? 1}).");
        }
    }

    private static void CheckLimits(T value, Dictionary<string, string[]> errors)
    {
        if (RecordRules<T>.AllPass(value))
        {
            return;
        }
        // Something fails (or the record has rules only the validator decides): the validator words the answer.
        var results = new List<ValidationResult>();
        if (Validator.TryValidateObject(value, new ValidationContext(value), results, validateAllProperties: true))
        {
            return;
        }
        var naming = NewsstandJson.Options.PropertyNamingPolicy!;
        foreach (var result in results)
        {
            foreach (var member in result.MemberNames)
            {
                var field = naming.ConvertName(member);
                var message = (result.ErrorMessage ?? "The field is invalid.").Replace(member, field, StringComparison.Ordinal);
                errors[field] = errors.TryGetValue(field, out var existing) ? [.. existing, message] : [message];
            }
        }
    }
}
