using System.Globalization;
using Newsstand.Client.Errors;
using Newsstand.Records;

namespace Newsstand.Client.Binding;

/// <summary>Integer query parameters, checked with a message naming the parameter.</summary>
internal static class QueryValues
{
    /// <summary>The parameter's value, null when absent; a bad value is recorded in <paramref name="errors"/> (created on first use).</summary>
    public static int? Int(HttpContext context, string name, int min, int max, ref Dictionary<string, string[]>? errors)
    {
        var raw = context.Request.Query[name];
        if (raw.Count == 0)
        {
            return null;
        }
        if (raw.Count == 1 && int.TryParse(raw[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }
        (errors ??= [])[name] = [$"The parameter must be one whole number from {min} to {max}."];
        return null;
    }

    /// <summary>The parameter as a date (<c>YYYY-MM-DD</c>); absent or bad, it is recorded in <paramref name="errors"/>.</summary>
    public static DateOnly? RequiredDate(HttpContext context, string name, ref Dictionary<string, string[]>? errors)
    {
        var raw = context.Request.Query[name];
        if (raw.Count == 1 && DateOnly.TryParseExact(raw[0], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var value))
        {
            return value;
        }
        (errors ??= [])[name] = [raw.Count == 0 ? "The parameter is required." : "The parameter must be one date as YYYY-MM-DD."];
        return null;
    }
}

/// <summary>The optional <c>limit</c> and <c>offset</c> of a list route.</summary>
internal sealed record PageQuery(Page Page)
{
    private static readonly PageQuery All = new(Page.All);

    public static ValueTask<PageQuery?> BindAsync(HttpContext context)
    {
        // The hot path: a plain list request allocates nothing here.
        if (context.Request.QueryString.HasValue is false)
        {
            return ValueTask.FromResult<PageQuery?>(All);
        }
        Dictionary<string, string[]>? errors = null;
        var limit = QueryValues.Int(context, "limit", 0, Page.MaxLimit, ref errors);
        var offset = QueryValues.Int(context, "offset", 0, int.MaxValue, ref errors);
        return errors is not null
            ? throw new RequestValidationException(errors)
            : ValueTask.FromResult<PageQuery?>(new PageQuery(new Page(offset ?? 0, limit)));
    }
}

/// <summary>The required <c>id</c> query parameter of an update.</summary>
internal sealed record IdQuery(int Id)
{
    public static ValueTask<IdQuery?> BindAsync(HttpContext context)
    {
        Dictionary<string, string[]>? errors = null;
        var id = QueryValues.Int(context, "id", Limits.MinId, int.MaxValue, ref errors);
        return id is { } value
            ? ValueTask.FromResult<IdQuery?>(new IdQuery(value))
            : throw new RequestValidationException(errors ?? new() { ["id"] = ["The parameter is required."] });
    }
}
