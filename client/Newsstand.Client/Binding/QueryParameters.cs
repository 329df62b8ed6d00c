using System.Globalization;
using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Newsstand.Client.Errors;
using Newsstand.Records;

namespace Newsstand.Client.Binding;

/// <summary>
/// An integer query parameter: read strictly (ASCII digits with an optional leading '-', nothing else:
/// no whitespace, no '+', no NUL, at most 11 characters), checked against its range with a message
/// naming it, and described to OpenAPI from the same definition.
/// </summary>
internal sealed record QueryParameter(string Name, int Minimum, int Maximum, bool Required, string Description)
{
    // "-2147483648" is the longest spelling of an int.
    private const int MaxCharacters = 11;

    /// <summary>The parameter's value, null when absent; a bad value is recorded in <paramref name="errors"/> (created on first use).</summary>
    public int? Read(HttpContext context, ref Dictionary<string, string[]>? errors)
    {
        var raw = context.Request.Query[Name];
        if (raw.Count == 0)
        {
            return null;
        }
        if (raw.Count == 1 && TryParse(raw[0], out var value) && value >= Minimum && value <= Maximum)
        {
            return value;
        }
        (errors ??= [])[Name] = [$"The parameter must be one whole number from {Minimum} to {Maximum}, in plain digits."];
        return null;
    }

    /// <summary>
    /// An OpenAPI operation transformer: documents the query parameters an endpoint's binding types
    /// declared in its metadata (custom <c>BindAsync</c> binding is invisible to the generator).
    /// </summary>
    public static Task DescribeAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        foreach (var parameter in context.Description.ActionDescriptor.EndpointMetadata.OfType<QueryParameter>())
        {
            (operation.Parameters ??= []).Add(new OpenApiParameter
            {
                Name = parameter.Name,
                In = ParameterLocation.Query,
                Required = parameter.Required,
                Description = parameter.Description,
                Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.Integer,
                    Format = "int32",
                    Minimum = parameter.Minimum.ToString(CultureInfo.InvariantCulture),
                    Maximum = parameter.Maximum.ToString(CultureInfo.InvariantCulture),
                },
            });
        }
        return Task.CompletedTask;
    }

    private static bool TryParse(string? text, out int value)
    {
        value = 0;
        if (text is null || text.Length is 0 or > MaxCharacters)
        {
            return false;
        }
        var digits = text.AsSpan(text[0] == '-' ? 1 : 0);
        // int.TryParse alone would also take a trailing NUL, surrounding whitespace or a '+'.
        return digits.Length > 0 && !digits.ContainsAnyExceptInRange('0', '9')
            && int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }
}

/// <summary>The optional <c>limit</c> and <c>offset</c> of a list route.</summary>
internal sealed record PageQuery(Page Page) : IEndpointParameterMetadataProvider
{
    private static readonly PageQuery All = new(Page.All);
    private static readonly QueryParameter Limit = new("limit", 0, Page.MaxLimit, Required: false, "How many records to return at most; all when absent.");
    private static readonly QueryParameter Offset = new("offset", 0, int.MaxValue, Required: false, "How many records to skip first, in id order.");

    public static ValueTask<PageQuery?> BindAsync(HttpContext context)
    {
        // The hot path: a plain list request allocates nothing here.
        if (context.Request.QueryString.HasValue is false)
        {
            return ValueTask.FromResult<PageQuery?>(All);
        }
        Dictionary<string, string[]>? errors = null;
        var limit = Limit.Read(context, ref errors);
        var offset = Offset.Read(context, ref errors);
        return errors is not null
            ? throw new RequestValidationException(errors)
            : ValueTask.FromResult<PageQuery?>(new PageQuery(new Page(offset ?? 0, limit)));
    }

    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder)
    {
        builder.Metadata.Add(Limit);
        builder.Metadata.Add(Offset);
    }
}

/// <summary>The required <c>id</c> query parameter of an update.</summary>
internal sealed record IdQuery(int Id) : IEndpointParameterMetadataProvider
{
    private static readonly QueryParameter IdParameter = new("id", Limits.MinId, int.MaxValue, Required: true, "The id of the record to change; must match the body's id.");

    public static ValueTask<IdQuery?> BindAsync(HttpContext context)
    {
        Dictionary<string, string[]>? errors = null;
        var id = IdParameter.Read(context, ref errors);
        return id is { } value
            ? ValueTask.FromResult<IdQuery?>(new IdQuery(value))
            : throw new RequestValidationException(errors ?? new() { [IdParameter.Name] = ["The parameter is required."] });
    }

    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder) => builder.Metadata.Add(IdParameter);
}
