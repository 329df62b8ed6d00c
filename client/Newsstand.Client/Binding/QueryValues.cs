using System.Globalization;
using Newsstand.Client.Errors;
using Newsstand.Records;

namespace Newsstand.Client.Binding;

/// <summary>Integer query parameters, checked with a message naming the parameter.</summary>
internal static class QueryValues
{
    public static int? Int(HttpContext context, string name, int min, int max, Dictionary<string, string[]> errors)
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
        errors[name] = [$"The parameter must be one whole number from {min} to {max}."];
        return null;
    }
}

/// <summary>The optional <c>limit</c> and <c>offset</c> of a list route.</summary>
internal sealed record PageQuery(Page Page)
{
    public static ValueTask<PageQuery?> BindAsync(HttpContext context)
    {
        var errors = new Dictionary<string, string[]>();
        var limit = QueryValues.Int(context, "limit", 0, Page.MaxLimit, errors);
        var offset = QueryValues.Int(context, "offset", 0, int.MaxValue, errors);
        return errors.Count > 0
            ? throw new RequestValidationException(errors)
            : ValueTask.FromResult<PageQuery?>(new PageQuery(new Page(offset ?? 0, limit)));
    }
}

/// <summary>The required <c>id</c> query parameter of an update.</summary>
internal sealed record IdQuery(int Id)
{
    public static ValueTask<IdQuery?> BindAsync(HttpContext context)
    {
        var errors = new Dictionary<string, string[]>();
        var id = QueryValues.Int(context, "id", Limits.MinId, int.MaxValue, errors);
        if (id is null && errors.Count == 0)
        {
            errors["id"] = ["The parameter is required."];
        }
        return errors.Count > 0 ? throw new RequestValidationException(errors) : ValueTask.FromResult<IdQuery?>(new IdQuery(id!.Value));
    }
}
