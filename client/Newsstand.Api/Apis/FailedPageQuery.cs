using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;
using Newsstand.Api.Binding;
using Newsstand.Api.Errors;
using Newsstand.Records;

namespace Newsstand.Api.Apis;

/// <summary>
/// A page of <c>GET /ch08/messenger/kafka/failed</c>: after the failed message at (<c>after_partition</c>,
/// <c>after_sequence</c>), at most <c>limit</c>. Pages are ranges of the failures' key, never an OFFSET that
/// the database would count through; <c>offset</c> is refused with a pointer to the cursor.
/// </summary>
internal sealed record FailedPageQuery(int AfterPartition, long AfterSequence, int Limit) : IEndpointParameterMetadataProvider
{
    public const int DefaultLimit = 100;

    private static readonly IntegerParameter AfterPartitionParameter = new("after_partition", 0, 255, Required: false,
        "The partition of the last failed message of the previous page; the page starts after it (with after_sequence). Absent: from the first failed message.");
    private static readonly IntegerParameter AfterSequenceParameter = new("after_sequence", 0, int.MaxValue, Required: false,
        "The sequence of the last failed message of the previous page.");
    private static readonly IntegerParameter LimitParameter = new("limit", 1, Page.MaxLimit, Required: false, $"How many failed messages at most (default {DefaultLimit}).");

    public static ValueTask<FailedPageQuery?> BindAsync(HttpContext context)
    {
        Dictionary<string, string[]>? errors = null;
        var afterPartition = AfterPartitionParameter.Read(context, ref errors);
        var afterSequence = AfterSequenceParameter.Read(context, ref errors);
        var limit = LimitParameter.Read(context, ref errors);
        if (context.Request.Query.ContainsKey("offset"))
        {
            (errors ??= [])["offset"] = ["This list pages by key: pass the partition and sequence of the last message you have as after_partition and after_sequence."];
        }
        if (afterSequence is not null && afterPartition is null)
        {
            (errors ??= [])["after_partition"] = ["The parameter is required with after_sequence."];
        }
        return errors is not null
            ? throw new RequestValidationException(errors)
            : ValueTask.FromResult<FailedPageQuery?>(new FailedPageQuery(afterPartition ?? -1, afterSequence ?? 0, limit ?? DefaultLimit));
    }

    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder)
    {
        builder.Metadata.Add(AfterPartitionParameter);
        builder.Metadata.Add(AfterSequenceParameter);
        builder.Metadata.Add(LimitParameter);
    }
}
