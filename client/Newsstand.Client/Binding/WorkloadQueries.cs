using System.Globalization;
using Newsstand.Client.Errors;
using Newsstand.Workloads;

namespace Newsstand.Client.Binding;

/// <summary>The required <c>billing_date</c> query parameter of the billing workloads.</summary>
internal sealed record BillingDateQuery(DateOnly Date)
{
    public const string Name = "billing_date";

    /// <summary>The date as grain keys spell it.</summary>
    public string Key => Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static ValueTask<BillingDateQuery?> BindAsync(HttpContext context)
    {
        Dictionary<string, string[]>? errors = null;
        var date = QueryValues.RequiredDate(context, Name, ref errors);
        return date is { } value ? ValueTask.FromResult<BillingDateQuery?>(new(value)) : throw new RequestValidationException(errors!);
    }
}

/// <summary>The required <c>min_date</c> and <c>max_date</c> of the dated subscriptions, in order.</summary>
internal sealed record DateRangeQuery(DateOnly MinDate, DateOnly MaxDate)
{
    public static ValueTask<DateRangeQuery?> BindAsync(HttpContext context)
    {
        Dictionary<string, string[]>? errors = null;
        var min = QueryValues.RequiredDate(context, "min_date", ref errors);
        var max = QueryValues.RequiredDate(context, "max_date", ref errors);
        if (errors is not null)
        {
            throw new RequestValidationException(errors);
        }
        return min > max
            ? throw RequestValidationException.For("min_date", $"min_date ({min:yyyy-MM-dd}) is after max_date ({max:yyyy-MM-dd}).")
            : ValueTask.FromResult<DateRangeQuery?>(new(min!.Value, max!.Value));
    }
}

/// <summary>The required <c>topic</c> of the notifications feed: one of <see cref="NotificationTopics.All"/>.</summary>
internal sealed record TopicQuery(string Topic, string StreamNamespace)
{
    public static ValueTask<TopicQuery?> BindAsync(HttpContext context)
    {
        var raw = context.Request.Query["topic"];
        return raw.Count == 1 && raw[0] is { } topic && NotificationTopics.TryGetNamespace(topic, out var ns)
            ? ValueTask.FromResult<TopicQuery?>(new(topic, ns))
            : throw RequestValidationException.For("topic", $"The parameter must be one of: {string.Join(", ", NotificationTopics.All.Order())}.");
    }
}

/// <summary>A job id in a route: 32 hexadecimal digits, as the API hands them out. Anything else names no job.</summary>
internal static class JobIds
{
    public static bool IsWellFormed(string id) => id.Length == 32 && id.All(char.IsAsciiHexDigitLower);
}
