using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Newsstand.Api.Errors;
using Newsstand.Records;

namespace Newsstand.Api.Binding;

/// <summary>
/// A query parameter a binding type reads itself (custom <c>BindAsync</c> binding is invisible to the
/// OpenAPI generator): its name and meaning, read strictly with a message naming it, and described to
/// OpenAPI from the same definition. Binding types add their parameters to the endpoint's metadata
/// (<see cref="IEndpointParameterMetadataProvider"/>); <see cref="DescribeAsync"/> documents them.
/// </summary>
internal abstract record QueryParameter(string Name, bool Required, string Description)
{
    /// <summary>Where the parameter travels: the query string, or (for a few) a request header.</summary>
    public virtual ParameterLocation In => ParameterLocation.Query;

    /// <summary>
    /// An OpenAPI operation transformer: documents the query parameters an endpoint's binding types
    /// declared in its metadata.
    /// </summary>
    public static Task DescribeAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        foreach (var parameter in context.Description.ActionDescriptor.EndpointMetadata.OfType<QueryParameter>())
        {
            (operation.Parameters ??= []).Add(new OpenApiParameter
            {
                Name = parameter.Name,
                In = parameter.In,
                Required = parameter.Required,
                Description = parameter.Description,
                Schema = parameter.Schema(),
            });
        }
        return Task.CompletedTask;
    }

    protected abstract OpenApiSchema Schema();

    /// <summary>The one raw value of the parameter; null when absent. Repeated, it is recorded as an error.</summary>
    protected string? Raw(HttpContext context, string expected, ref Dictionary<string, string[]>? errors)
    {
        var raw = In == ParameterLocation.Header ? context.Request.Headers[Name] : context.Request.Query[Name];
        switch (raw.Count)
        {
            case 0:
                if (Required)
                {
                    (errors ??= [])[Name] = ["The parameter is required."];
                }
                return null;
            case 1:
                return raw[0];
            default:
                (errors ??= [])[Name] = [$"The parameter must be given once, as {expected}."];
                return null;
        }
    }

    /// <summary>Records that the parameter's value is not <paramref name="expected"/>.</summary>
    public void Refuse(string expected, ref Dictionary<string, string[]>? errors) =>
        (errors ??= [])[Name] = [$"The parameter must be {expected}."];
}

/// <summary>
/// An integer query parameter, read strictly: ASCII digits with an optional leading '-', nothing else
/// (no whitespace, no '+', no NUL, at most 11 characters), within its range.
/// </summary>
internal sealed record IntegerParameter(string Name, int Minimum, int Maximum, bool Required, string Description)
    : QueryParameter(Name, Required, Description)
{
    // "-2147483648" is the longest spelling of an int.
    private const int MaxCharacters = 11;

    private string Expected => $"one whole number from {Minimum} to {Maximum}, in plain digits";

    /// <summary>The parameter's value, null when absent; a bad value is recorded in <paramref name="errors"/> (created on first use).</summary>
    public int? Read(HttpContext context, ref Dictionary<string, string[]>? errors)
    {
        if (Raw(context, Expected, ref errors) is not { } text)
        {
            return null;
        }
        if (TryParse(text, out var value) && value >= Minimum && value <= Maximum)
        {
            return value;
        }
        Refuse(Expected, ref errors);
        return null;
    }

    protected override OpenApiSchema Schema() => new()
    {
        Type = JsonSchemaType.Integer,
        Format = "int32",
        Minimum = Minimum.ToString(CultureInfo.InvariantCulture),
        Maximum = Maximum.ToString(CultureInfo.InvariantCulture),
    };

    private static bool TryParse(string text, out int value)
    {
        value = 0;
        if (text.Length is 0 or > MaxCharacters)
        {
            return false;
        }
        var digits = text.AsSpan(text[0] == '-' ? 1 : 0);
        // int.TryParse alone would also take a trailing NUL, surrounding whitespace or a '+'.
        return digits.Length > 0 && !digits.ContainsAnyExceptInRange('0', '9')
            && int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }
}

/// <summary>A date query parameter, exactly <c>YYYY-MM-DD</c>.</summary>
internal sealed record DateParameter(string Name, bool Required, string Description) : QueryParameter(Name, Required, Description)
{
    private const string Expected = "one date as YYYY-MM-DD";

    public DateOnly? Read(HttpContext context, ref Dictionary<string, string[]>? errors)
    {
        if (Raw(context, Expected, ref errors) is not { } text)
        {
            return null;
        }
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var value))
        {
            return value;
        }
        Refuse(Expected, ref errors);
        return null;
    }

    protected override OpenApiSchema Schema() => new() { Type = JsonSchemaType.String, Format = "date" };
}

/// <summary>A request header read as a parameter (a string, checked by whoever reads it).</summary>
internal sealed record HeaderParameter(string Name, bool Required, string Description) : QueryParameter(Name, Required, Description)
{
    public override ParameterLocation In => ParameterLocation.Header;

    public string? Read(HttpContext context, string expected, ref Dictionary<string, string[]>? errors) => Raw(context, expected, ref errors);

    protected override OpenApiSchema Schema() => new() { Type = JsonSchemaType.String };
}

/// <summary>A query parameter that takes one of a fixed set of words.</summary>
internal sealed record ChoiceParameter(string Name, IReadOnlyList<string> Choices, bool Required, string Description)
    : QueryParameter(Name, Required, Description)
{
    private string Expected => $"one of: {string.Join(", ", Choices)}";

    public string? Read(HttpContext context, ref Dictionary<string, string[]>? errors)
    {
        if (Raw(context, Expected, ref errors) is not { } text)
        {
            return null;
        }
        if (Choices.Contains(text, StringComparer.Ordinal))
        {
            return text;
        }
        Refuse(Expected, ref errors);
        return null;
    }

    protected override OpenApiSchema Schema() =>
        new() { Type = JsonSchemaType.String, Enum = [.. Choices.Select(choice => (JsonNode)JsonValue.Create(choice))] };
}

/// <summary>The optional <c>limit</c> and <c>offset</c> of a list route.</summary>
internal sealed record PageQuery(Page Page) : IEndpointParameterMetadataProvider
{
    private static readonly PageQuery All = new(Page.All);
    private static readonly IntegerParameter Limit = new("limit", 0, Page.MaxLimit, Required: false, "How many records to return at most; all when absent.");
    private static readonly IntegerParameter Offset = new("offset", 0, int.MaxValue, Required: false, "How many records to skip first, in id order.");

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
    private static readonly IntegerParameter IdParameter = new("id", Limits.MinId, int.MaxValue, Required: true, "The id of the record to change; must match the body's id.");

    public static ValueTask<IdQuery?> BindAsync(HttpContext context)
    {
        Dictionary<string, string[]>? errors = null;
        var id = IdParameter.Read(context, ref errors);
        return id is { } value
            ? ValueTask.FromResult<IdQuery?>(new IdQuery(value))
            : throw new RequestValidationException(errors!);
    }

    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder) => builder.Metadata.Add(IdParameter);
}
