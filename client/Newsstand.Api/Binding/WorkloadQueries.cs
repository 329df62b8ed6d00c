using System.Globalization;
using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;
using Newsstand.Api.Errors;
using Newsstand.Workloads;

namespace Newsstand.Api.Binding;

/// <summary>The required <c>billing_date</c> query parameter of the billing workloads.</summary>
internal sealed record BillingDateQuery(DateOnly Date) : IEndpointParameterMetadataProvider
{
    private static readonly DateParameter Parameter = new("billing_date", Required: true, "The billing date (YYYY-MM-DD) whose billings the workload reads.");

    /// <summary>The date as grain keys spell it.</summary>
    public string Key => Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static ValueTask<BillingDateQuery?> BindAsync(HttpContext context)
    {
        Dictionary<string, string[]>? errors = null;
        return Parameter.Read(context, ref errors) is { } date
            ? ValueTask.FromResult<BillingDateQuery?>(new(date))
            : throw new RequestValidationException(errors!);
    }

    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder) => builder.Metadata.Add(Parameter);
}

/// <summary>The required <c>min_date</c> and <c>max_date</c> of the dated subscriptions, in order.</summary>
internal sealed record DateRangeQuery(DateOnly MinDate, DateOnly MaxDate) : IEndpointParameterMetadataProvider
{
    private static readonly DateParameter Min = new("min_date", Required: true, "First purchase date included (YYYY-MM-DD).");
    private static readonly DateParameter Max = new("max_date", Required: true, "Last purchase date included (YYYY-MM-DD); not before min_date.");

    public static ValueTask<DateRangeQuery?> BindAsync(HttpContext context)
    {
        Dictionary<string, string[]>? errors = null;
        var min = Min.Read(context, ref errors);
        var max = Max.Read(context, ref errors);
        if (errors is not null)
        {
            throw new RequestValidationException(errors);
        }
        return min > max
            ? throw RequestValidationException.For(Min.Name, $"min_date ({min:yyyy-MM-dd}) is after max_date ({max:yyyy-MM-dd}).")
            : ValueTask.FromResult<DateRangeQuery?>(new(min!.Value, max!.Value));
    }

    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder)
    {
        builder.Metadata.Add(Min);
        builder.Metadata.Add(Max);
    }
}

/// <summary>The required <c>topic</c> of the notifications feed: one of <see cref="NotificationTopics.All"/>.</summary>
internal sealed record TopicQuery(string Topic, string StreamNamespace) : IEndpointParameterMetadataProvider
{
    private static readonly ChoiceParameter Parameter = new("topic", [.. NotificationTopics.All.Order()], Required: true,
        "The workload whose notifications to follow.");

    public static ValueTask<TopicQuery?> BindAsync(HttpContext context)
    {
        Dictionary<string, string[]>? errors = null;
        return Parameter.Read(context, ref errors) is { } topic && NotificationTopics.TryGetNamespace(topic, out var ns)
            ? ValueTask.FromResult<TopicQuery?>(new(topic, ns))
            : throw new RequestValidationException(errors!);
    }

    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder) => builder.Metadata.Add(Parameter);
}

/// <summary>The optional <c>wait</c> of a job's status: seconds to wait for the job to finish before answering.</summary>
internal sealed record WaitQuery(int Seconds) : IEndpointParameterMetadataProvider
{
    public const int Longest = 20;

    private static readonly IntegerParameter Parameter = new("wait", 0, Longest, Required: false,
        "Seconds (1-20) to wait for the job to finish before answering; 0 or absent answers at once.");

    public static ValueTask<WaitQuery?> BindAsync(HttpContext context)
    {
        Dictionary<string, string[]>? errors = null;
        var seconds = Parameter.Read(context, ref errors);
        return errors is null ? ValueTask.FromResult<WaitQuery?>(new(seconds ?? 0)) : throw new RequestValidationException(errors);
    }

    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder) => builder.Metadata.Add(Parameter);
}

/// <summary>A job id in a route: 32 hexadecimal digits, as the API hands them out. Anything else names no job.</summary>
internal static class JobIds
{
    public static bool IsWellFormed(string id) => id.Length == 32 && id.All(char.IsAsciiHexDigitLower);
}
