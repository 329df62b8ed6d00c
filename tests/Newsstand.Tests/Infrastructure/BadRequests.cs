using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using CsCheck;

namespace Newsstand.Tests.Infrastructure;

/// <summary>
/// One generated request for a route: path and query (already escaped), body bytes and headers, and
/// whether the generator put in something the route must refuse (then any answer but a 4xx is wrong).
/// </summary>
internal sealed record GeneratedRequest(RouteOperation Route, string PathAndQuery, byte[]? Body, string? ContentType, string? LastEventId, bool MustBeRefused)
{
    public override string ToString()
    {
        var body = Body is null ? "(no body)" : Encoding.UTF8.GetString(Body);
        var target = PathAndQuery.Length > 300 ? PathAndQuery[..300] + $"... ({PathAndQuery.Length} characters)" : PathAndQuery;
        var lastEventId = LastEventId?.Length > 40 ? LastEventId[..40] + "..." : LastEventId ?? "-";
        return $"{Route.Method} {target} [{ContentType ?? "no content type"}] Last-Event-ID: {lastEventId} {(body.Length > 400 ? body[..400] + $"... ({Body!.Length} bytes)" : body)}"
            + (MustBeRefused ? " (must be refused)" : "");
    }
}

/// <summary>A generated piece of a request and whether it is certainly invalid (a value that may or may not be accepted is not).</summary>
internal readonly record struct Part<T>(T Value, bool Invalid);

/// <summary>
/// CsCheck generators of requests for a <see cref="RouteOperation"/>: each input the OpenAPI document
/// declares (query and route parameters, the JSON body's fields by type and format) is left out, given a
/// plausible value or a bad one (wrong type, null, huge or fractional numbers, deep nesting, long or
/// non-ASCII text, NUL, unpaired surrogates, invalid UTF-8, invalid dates), and whole bodies are
/// sometimes not JSON at all. Plausible ids come from a range no other test uses, so a request that
/// happens to be valid cannot collide with another test's rows.
/// </summary>
internal static partial class BadRequests
{
    private const int FirstReservedId = 1_700_000_000;

    public static Gen<GeneratedRequest> For(RouteOperation route) =>
        Gen.Select(Path(route), Query(route), Body(route), ContentType(route), LastEventId, (path, query, body, contentType, lastEventId) =>
        {
            var hasBody = body.Value is not null;
            // A body the route does not read cannot make it refuse the request.
            var bodyRefused = route.Body is not null && (body.Invalid || contentType.Invalid || !hasBody);
            return new GeneratedRequest(route, path.Value + query.Value, body.Value, hasBody ? contentType.Value : null, lastEventId,
                path.Invalid || query.Invalid || bodyRefused);
        });

    private static Gen<Part<string>> Path(RouteOperation route)
    {
        var gen = Gen.Const(new Part<string>(route.Pattern, false));
        foreach (var name in route.RouteParameters)
        {
            gen = gen.SelectMany(path => RouteValue.Select(value => new Part<string>(RouteSlot(name).Replace(path.Value, value.Replace("$", "$$", StringComparison.Ordinal), 1), false)));
        }
        return gen;
    }

    // Whether a route value names something is the route's business (404 or 400): none counts as certainly invalid.
    private static Gen<string> RouteValue => Gen.Frequency(
        (3, Gen.Char["0123456789abcdef"].Array[32].Select(c => new string(c))),
        (1, Gen.Char["0123456789ABCDEF"].Array[32].Select(c => new string(c))),
        (4, Gen.OneOf("x", "%00", "%FF", "%C0%AF", "..", "%2F", "%20", "-1", "0", "%F0%9F%98%80", "a%00b", "null")),
        (1, Gen.Int[200, 5000].Select(n => new string('7', n))));

    private static Regex RouteSlot(string name) => new($@"\{{\*{{0,2}}{Regex.Escape(name)}[^}}]*\}}");

    private static Gen<Part<string>> Query(RouteOperation route)
    {
        var unknown = Gen.Frequency((4, Gen.Const(new Part<string>("", false))),
            (1, Gen.OneOf("zz=%00", "zz=%FF", "zz", "=", "&&", "zz=1&zz=2").Select(p => new Part<string>(p, false))));
        return route.Query.Select(QueryPart).Append(unknown).Aggregate(Gen.Const(new Part<string>("", false)), (query, part) => query.Select(part, (q, p) =>
            new Part<string>(p.Value.Length == 0 ? q.Value : q.Value + (q.Value.Length == 0 ? "?" : "&") + p.Value, q.Invalid || p.Invalid)));
    }

    private static Gen<Part<string>> QueryPart(ApiParameter parameter) => Gen.Frequency(
        (3, QueryValue(parameter).Select(value => new Part<string>($"{parameter.Name}={value}", false))),
        (2, Gen.Const(new Part<string>("", parameter.Required))),
        (5, BadQueryValue.Select(value => new Part<string>($"{parameter.Name}={value}", true))),
        (1, Gen.Select(QueryValue(parameter), QueryValue(parameter), (a, b) => new Part<string>($"{parameter.Name}={a}&{parameter.Name}={b}", true))));

    private static Gen<string> QueryValue(ApiParameter parameter) => parameter switch
    {
        { Type: "integer" } when IsId(parameter.Name) => ReservedId.Select(Invariant),
        { Type: "integer" } => Gen.Int[Bound(parameter, "minimum", 0), Math.Min(Bound(parameter, "maximum", 100), Bound(parameter, "minimum", 0) + 50)].Select(Invariant),
        { Format: "date" } => PastDate,
        { Schema: { } schema } when schema["enum"] is System.Text.Json.Nodes.JsonArray choices => Gen.OneOf(choices.Select(c => (string)c!).ToArray()),
        _ => Letters(1, 20),
    };

    /// <summary>Values no integer, date or choice parameter takes.</summary>
    private static Gen<string> BadQueryValue => Gen.OneOf(
        Gen.OneOf("", "abc", "1%00", "%00", "%001", "99999999999999999999", "-1", "-2147483649", "2147483648", "%EF%BC%91", "1e3", "1.0", "0x10",
            "%FF", "%C0%AF", "%ED%A0%80", "%F0%9F%98%80", "%2B1", "+1", "%201", "1%20", "true", "null", "[]", "%5B%5D", "2024-02-30", "2024-13-01",
            "0000-00-00", "24-1-1", "2024-01-01T00:00:00", "%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%94-01-01", "quota%00", "QUOTA", "jobs%0A"),
        Gen.Int[1000, 6000].Select(n => new string('9', n)),
        Gen.Int[1000, 6000].Select(n => string.Concat(Enumerable.Repeat("%E2%82%AC", n / 9 + 1))));

    private static Gen<string?> LastEventId => Gen.Frequency(
        (3, Gen.Const((string?)null)),
        (1, Gen.OneOf<string?>("0", "-1", "99999999999999999999999", "abc", "1-1", "%00", "\\u00e9", " ", "1 2")),
        (1, Gen.Int[100, 4000].Select(n => (string?)new string('1', n))));

    private static Gen<Part<string?>> ContentType(RouteOperation route) => Gen.Frequency(
        (route.Body is null ? 2 : 16, Gen.Const(new Part<string?>("application/json", false))),
        (1, Gen.Const(new Part<string?>("application/json; charset=utf-16", false))),
        (1, Gen.OneOf<string?>("text/plain", "application/x-www-form-urlencoded", "application/xml", "multipart/form-data; boundary=x", null).Select(t => new Part<string?>(t, true))));

    private static Gen<Part<byte[]?>> Body(RouteOperation route) => route.Body is null
        ? Gen.Frequency((4, Gen.Const(new Part<byte[]?>(null, false))), (1, WholeBody.Select(b => new Part<byte[]?>(b, false))))
        : Gen.Frequency(
            (5, Object(route.Body)),
            (4, OneFieldWrong(route.Body)),
            (1, WholeBody.Select(b => new Part<byte[]?>(b, true))));

    /// <summary>Bodies that are not an object of the route's record: empty, other JSON values, broken or too deep JSON, random bytes.</summary>
    private static Gen<byte[]> WholeBody => Gen.OneOf(
        Json("", "null", "[]", "1", "\"x\"", "{", "{\"id\":", "{}}", "[{}]", "{\"id\":1,}", "{'id':1}", "\ufeff{}", "{\"a\" 1}", "tru"),
        Nesting, DeepObject,
        Gen.Byte.Array[1, 300]);

    /// <summary>Every field independently valid, absent, null or bad, plus sometimes an extra or repeated field.</summary>
    private static Gen<Part<byte[]?>> Object(BodySchema schema) =>
        Fields(schema.Fields.Select(field => FieldValue(field).Select(value => (field.Name, Value: value))), schema);

    /// <summary>Every field valid but one, which is absent, null or bad: the refusal must come from that field.</summary>
    private static Gen<Part<byte[]?>> OneFieldWrong(BodySchema schema) => Gen.Int[0, schema.Fields.Count - 1].SelectMany(wrong =>
        Fields(schema.Fields.Select((field, i) => (i == wrong ? WrongValue(field) : ValidValue(field)).Select(value => (field.Name, Value: value))), schema));

    private static Gen<Part<byte[]?>> Fields(IEnumerable<Gen<(string Name, Part<byte[]?> Value)>> fields, BodySchema schema)
    {
        var extra = Gen.Frequency(
            (6, Gen.Const((Name: "", Value: new Part<byte[]?>(null, false)))),
            (1, AnyValue.Select(value => (Name: "extra_field", Value: value with { Invalid = false }))),
            // A field given twice: the parser refuses duplicate names.
            (1, Gen.OneOf(schema.Fields.Select(f => f.Name).ToArray()).SelectMany(name => AnyValue.Select(value => (Name: name, Value: value with { Invalid = true })))));
        return fields.Append(extra).Aggregate(Gen.Const(Array.Empty<(string Name, Part<byte[]?> Value)>()),
                (list, field) => list.Select(field, (l, f) => (((string Name, Part<byte[]?> Value)[])[.. l, f])))
            .Select(all => new Part<byte[]?>(Serialize(all), CertainlyInvalid(all)));
    }

    /// <summary>
    /// Whether a body of these fields (the last one the extra) is certainly invalid. A field "given twice" whose first
    /// place was left out is given once, with a value of any kind: then neither the repetition nor the absence is sure.
    /// </summary>
    private static bool CertainlyInvalid((string Name, Part<byte[]?> Value)[] all)
    {
        var (extra, fields) = (all[^1], all[..^1]);
        return extra.Value.Value is not null && fields.Any(f => f.Name == extra.Name && f.Value.Value is null)
            ? fields.Any(f => f.Name != extra.Name && f.Value.Invalid)
            : all.Any(f => f.Value.Invalid);
    }

    /// <summary>A field's value as raw JSON bytes; a null value leaves the field out.</summary>
    private static Gen<Part<byte[]?>> FieldValue(ApiParameter field) => Gen.Frequency((12, ValidValue(field)), (8, WrongValue(field)));

    private static Gen<Part<byte[]?>> WrongValue(ApiParameter field) => Gen.Frequency(
        (1, Gen.Const(new Part<byte[]?>(null, field.Required))),
        (1, Gen.Const(new Part<byte[]?>("null"u8.ToArray(), !field.Nullable))),
        (4, BadValue(field).Select(v => new Part<byte[]?>(v, true))),
        (2, DoubtfulValue(field).Select(v => new Part<byte[]?>(v, false))));

    private static Gen<Part<byte[]?>> ValidValue(ApiParameter field) => (field switch
    {
        { Type: "integer" } when IsId(field.Name) => ReservedId.Select(i => U(Invariant(i))),
        { Type: "integer" } => Gen.Int[0, 1000].Select(i => U(Invariant(i))),
        { Type: "number" } => Gen.Int[0, 10_000_000].Select(i => U((i / 100.0).ToString("R", CultureInfo.InvariantCulture))),
        { Format: "date" } => PastDate.Select(d => U($"\"{d}\"")),
        _ => Letters(8, 30).Select(s => U($"\"{s}\"")),
    }).Select(v => new Part<byte[]?>(v, false));

    /// <summary>Values no field of that type takes.</summary>
    private static Gen<byte[]> BadValue(ApiParameter field) => field switch
    {
        { Type: "integer" } => Gen.OneOf(Json("1e400", "-1e400", "99999999999999999999999999", "2147483648", "-2147483649", "1.5", "0.0000001",
            "123456789012345678901234567890.5", "-9223372036854775809", "4.9e-324", "\"12\""), NotNumbers, Nesting, DeepObject),
        { Type: "number" } => Gen.OneOf(Json("1e400", "-1e400", "\"1.5\"", "NaN", "Infinity", "-Infinity", "0x10", ".5", "1.", "01"), NotNumbers, Nesting),
        { Format: "date" } => Gen.OneOf(BadDate, NotStrings, BrokenText),
        _ => Gen.OneOf(BrokenText, NotStrings, Nesting, DeepObject),
    };

    /// <summary>Values that may or may not fit (limits, ranges, spelling of numbers): any answer but a 5xx will do.</summary>
    private static Gen<byte[]> DoubtfulValue(ApiParameter field) => field switch
    {
        { Type: "integer" } => Json("-0", "0", "-1", "1E2", "12.0", "1e2", "2147483647", "-2147483648"),
        { Type: "number" } => Json("-0", "1e308", "-1e308", "4.9e-324", "1E2", "0"),
        { Format: "date" } => Json("\"0001-01-01\"", "\"9999-12-31\"", "\"2024-02-29\""),
        _ => Gen.OneOf(LongText, NonAscii, Json("\"\"", "\"   \"", "\"\\t\"", "\"\\u0001\"", "\"x\"", "\"a\\\"b\\\\c\"")),
    };

    private static Gen<byte[]> NotNumbers => Json("true", "false", "[]", "{}", "\"\"", "[1,2]", "{\"x\":1}", "\"x\"");

    private static Gen<byte[]> NotStrings => Json("true", "false", "[]", "{}", "[1,2]", "{\"x\":1}", "1", "-1.5", "0");

    private static Gen<byte[]> BadDate => Json("\"2024-02-30\"", "\"2023-02-29\"", "\"2024-13-01\"", "\"0000-01-01\"", "\"2024-1-1\"", "\"24-01-01\"",
        "\"2024-01-01T00:00:00\"", "\"\"", "\"\uff12\uff10\uff12\uff14-01-01\"", "\"2024-02-29x\"", "\"10000-01-01\"", "\"-2024-01-01\"", "\"2024/01/01\"",
        "\"2024-00-10\"", "\"2024-01-00\"", "\" 2024-01-01\"", "\"2024-01-01\\u0000\"", "20240101");

    private static Gen<byte[]> Nesting => Gen.Int[33, 400].Select(depth => U(new string('[', depth) + new string(']', depth)));

    private static Gen<byte[]> DeepObject => Gen.Int[33, 200].Select(depth => U(string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth)));

    private static Gen<byte[]> LongText => Gen.Int[46, 300_000].Select(n => U("\"" + new string('x', n) + "\""));

    private static Gen<byte[]> NonAscii => Gen.Select(
        Gen.OneOf("\U0001F600", "\u00e9", "e\u0301", "\u4e2d", "\u200b", "\ufb00", "\U0001F468\u200D\U0001F469", "\u0645", "\u00a0", "\ufeff"),
        Gen.Int[1, 60],
        (unit, count) => U("\"" + string.Concat(Enumerable.Repeat(unit, count)) + "\""));

    /// <summary>Text no database can store: invalid UTF-8 (stray, overlong, surrogate, truncated), unpaired surrogate escapes, NUL.</summary>
    private static Gen<byte[]> BrokenText => Gen.OneOf(
        Gen.Const((byte[])[(byte)'"', (byte)'J', 0xFF, (byte)'e', (byte)'"']),
        Gen.Const((byte[])[(byte)'"', 0xC0, 0xAF, (byte)'"']),
        Gen.Const((byte[])[(byte)'"', 0xED, 0xA0, 0x80, (byte)'"']),
        Gen.Const((byte[])[(byte)'"', (byte)'x', 0xE2, 0x82, (byte)'"']),
        Gen.Const((byte[])[(byte)'"', 0xF8, 0x88, 0x80, 0x80, 0x80, (byte)'"']),
        Json("\"Jo\\ud800e\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"a\\u0000b\"", "\"\\u0000\""));

    private static Gen<Part<byte[]?>> AnyValue => Gen.OneOf(NotNumbers, BadDate, Nesting, DeepObject, LongText, NonAscii, BrokenText)
        .Select(v => new Part<byte[]?>(v, false));

    private static Gen<int> ReservedId => Gen.Int[FirstReservedId, FirstReservedId + 999_999];

    // Before any date another test uses (TestDates hands out dates from 2100 on).
    private static Gen<string> PastDate => Gen.Int[0, 18_000].Select(days => new DateOnly(1950, 1, 1).AddDays(days).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));

    private static Gen<string> Letters(int shortest, int longest) =>
        Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789"].Array[shortest, longest].Select(chars => new string(chars));

    private static bool IsId(string name) => name == "id" || name.EndsWith("_id", StringComparison.Ordinal);

    private static int Bound(ApiParameter parameter, string name, int fallback) =>
        parameter.Schema?[name] is { } bound && int.TryParse(bound.ToString(), CultureInfo.InvariantCulture, out var value) ? value : fallback;

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static byte[] U(string text) => Encoding.UTF8.GetBytes(text);

    private static Gen<byte[]> Json(params string[] texts) => Gen.OneOf(texts.Select(U).ToArray());

    private static byte[] Serialize((string Name, Part<byte[]?> Value)[] fields)
    {
        using var body = new MemoryStream();
        body.WriteByte((byte)'{');
        var first = true;
        foreach (var (name, value) in fields.Where(f => f.Value.Value is not null))
        {
            if (!first)
            {
                body.WriteByte((byte)',');
            }
            first = false;
            body.Write(U($"\"{name}\":"));
            body.Write(value.Value);
        }
        body.WriteByte((byte)'}');
        return body.ToArray();
    }
}
