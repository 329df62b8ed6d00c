using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;

namespace Newsstand.Api.Binding;

/// <summary>
/// Whether the strings of a parsed JSON document are Unicode text. The parser checks syntax only:
/// invalid UTF-8 (stray bytes, overlong forms, encoded surrogates) and escapes of unpaired surrogates
/// (<c>"\ud800"</c>) pass it and fail later, when the text is read. This finds them first, on the raw
/// bytes, without reading anything as text.
/// </summary>
internal static class JsonText
{
    /// <summary>Whether every string and property name within <paramref name="element"/> is well-formed.</summary>
    public static bool IsWellFormed(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => IsWellFormed(JsonMarshal.GetRawUtf8Value(element)),
        JsonValueKind.Object => element.EnumerateObject().All(property => HasWellFormedName(property) && IsWellFormed(property.Value)),
        JsonValueKind.Array => element.EnumerateArray().All(IsWellFormed),
        _ => true,
    };

    public static bool HasWellFormedName(JsonProperty property) => IsWellFormed(JsonMarshal.GetRawUtf8PropertyName(property));

    /// <summary>Raw JSON string bytes (escapes not yet decoded) that decode to well-formed UTF-16.</summary>
    private static bool IsWellFormed(ReadOnlySpan<byte> raw)
    {
        if (!Utf8.IsValid(raw))
        {
            return false;
        }
        var awaitingLowSurrogate = false;
        for (var i = 0; i < raw.Length; i++)
        {
            // The parser has checked every escape: a backslash is followed by one of "\/bfnrt, or by u and four hex digits.
            if (raw[i] != (byte)'\\' || raw[i + 1] != (byte)'u')
            {
                if (awaitingLowSurrogate)
                {
                    return false;
                }
                i += raw[i] == (byte)'\\' ? 1 : 0;
                continue;
            }
            var unit = (char)ushort.Parse(raw.Slice(i + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            i += 5;
            if (char.IsLowSurrogate(unit) != awaitingLowSurrogate)
            {
                return false;
            }
            awaitingLowSurrogate = char.IsHighSurrogate(unit);
        }
        return !awaitingLowSurrogate;
    }
}
