using System.Text.Json;
using System.Text.Json.Serialization;

namespace Newsstand;

/// <summary>
/// The one JSON contract of the API (snake_case names, ISO dates): the web client reads requests with it
/// and the grains render cached list bodies with it, so both sides always agree.
/// </summary>
public static class NewsstandJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = DictionaryKeys.Instance;
        options.RespectNullableAnnotations = true;
        options.RespectRequiredConstructorParameters = true;
        options.NumberHandling = JsonNumberHandling.Strict;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip;
    }

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Configure(options);
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>
    /// snake_case for dictionary keys (extensions such as <c>trace_id</c>), except a key already spelled with a hyphen:
    /// an HTTP header name (<c>Last-Event-ID</c>) that a problem's <c>errors</c> names keeps the spelling a client sends.
    /// </summary>
    private sealed class DictionaryKeys : JsonNamingPolicy
    {
        public static readonly DictionaryKeys Instance = new();

        public override string ConvertName(string name) => name.Contains('-', StringComparison.Ordinal) ? name : SnakeCaseLower.ConvertName(name);
    }
}
