using System.Globalization;
using System.Reflection;
using System.Text.Json;

namespace Newsstand.Api.Binding;

/// <summary>
/// Checks a JSON object against the constructor of a request record before it is deserialized, so one
/// answer names every missing, null or mistyped field (the serializer alone stops at the first), and
/// no text that is not Unicode reaches the serializer (which would fail on it).
/// </summary>
internal static class RecordShape<T>
{
    private static readonly Field[] Fields = Describe();

    /// <summary>Settable properties outside the constructor (e.g. a login's current_password): optional, but of their type when sent.</summary>
    private static readonly Field[] Optional = DescribeOptional();

    public static void Check(JsonElement body, Dictionary<string, string[]> errors)
    {
        foreach (var property in body.EnumerateObject())
        {
            var wellFormedName = JsonText.HasWellFormedName(property);
            if (wellFormedName && JsonText.IsWellFormed(property.Value))
            {
                continue;
            }
            if (wellFormedName && IsField(property.Name))
            {
                errors[property.Name] = ["The field must be well-formed Unicode text (invalid UTF-8 or an unpaired surrogate)."];
            }
            else
            {
                // Not a field of the record: name the body rather than echo what the client sent.
                errors["body"] = ["The body has text that is not well-formed Unicode (invalid UTF-8 or an unpaired surrogate)."];
            }
        }
        CheckOptional(body, errors);
        foreach (var field in Fields)
        {
            if (errors.ContainsKey(field.Name))
            {
                continue;
            }
            if (!body.TryGetProperty(field.Name, out var value))
            {
                errors[field.Name] = ["The field is required."];
            }
            else if (value.ValueKind == JsonValueKind.Null)
            {
                errors[field.Name] = ["The field must not be null."];
            }
            else if (TypeError(field.Type, value) is { } error)
            {
                errors[field.Name] = [error];
            }
        }
    }

    private static void CheckOptional(JsonElement body, Dictionary<string, string[]> errors)
    {
        foreach (var field in Optional)
        {
            if (!errors.ContainsKey(field.Name) && body.TryGetProperty(field.Name, out var value) && value.ValueKind != JsonValueKind.Null
                && TypeError(field.Type, value) is { } error)
            {
                errors[field.Name] = [error];
            }
        }
    }

    private static string? TypeError(Type type, JsonElement value) => type switch
    {
        _ when type == typeof(int) =>
            value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out _) ? null : "The field must be a whole number from -2147483648 to 2147483647.",
        _ when type == typeof(double) =>
            value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var d) && double.IsFinite(d) ? null : "The field must be a number.",
        _ when type == typeof(string) =>
            value.ValueKind == JsonValueKind.String ? null : "The field must be a string.",
        _ when type == typeof(DateOnly) =>
            value.ValueKind == JsonValueKind.String
            && DateOnly.TryParseExact(value.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
                ? null : "The field must be a date as YYYY-MM-DD.",
        _ => throw new NotSupportedException($"{typeof(T).Name} has a field of type {type.Name}, which requests do not use."),
    };

    private static bool IsField(string name) => Array.Exists(Fields, field => field.Name == name);

    private static Field[] Describe()
    {
        var constructor = typeof(T).GetConstructors(BindingFlags.Public | BindingFlags.Instance).OrderByDescending(c => c.GetParameters().Length).First();
        var naming = NewsstandJson.Options.PropertyNamingPolicy!;
        return [.. constructor.GetParameters().Select(p => new Field(naming.ConvertName(p.Name!), p.ParameterType))];
    }

    private static Field[] DescribeOptional()
    {
        var naming = NewsstandJson.Options.PropertyNamingPolicy!;
        var required = Fields.Select(f => f.Name).ToHashSet();
        return [.. typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.GetIndexParameters().Length == 0)
            .Select(p => new Field(naming.ConvertName(p.Name), Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType))
            .Where(f => !required.Contains(f.Name))];
    }

    private sealed record Field(string Name, Type Type);
}
