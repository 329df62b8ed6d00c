using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Newsstand.Records;

namespace Newsstand.Api.Hosting;

/// <summary>What the generated OpenAPI document cannot know by itself: the product's name, what each tag holds, and the text limits the records declare.</summary>
internal static class OpenApiDescription
{
    private const string AdminWithLogin = "AdminWithLogin";

    /// <summary>Every tag the routes use (<c>.WithTags</c>), with what it holds.</summary>
    private static readonly Dictionary<string, string> Tags = new()
    {
        ["Logins"] = "Logins: passwords go in and are stored as hashes; no answer carries a password or a hash.",
        ["Records"] = "The original's record routes: one add per table (answered once committed) and the lists, ordered by id.",
        ["Workloads: gathers"] = "Answers computed by several grain calls awaited together.",
        ["Workloads: admins"] = "Admins with their billings (a grain pipeline), and admin profiles encrypted and decrypted.",
        ["Workloads: billing"] = "The billing sheet job (CSV, followed by its id) and the retried payable total.",
        ["Workloads: sales quota"] = "The sales quota evaluation, run in the background and published on the notifications feed.",
        ["Workloads: subscriptions"] = "The dated subscription filter and the periodic total monitor.",
        ["Workloads: notifications"] = "Server-sent events of the background workloads, one topic per feed.",
        ["Messenger topic"] = "The original's Kafka routes on the durable topic: send, the failed messages, and the consumption feed (server-sent events).",
        ["Customer sockets"] = "The WebSocket acknowledgement protocol over the customer table, and the service as its own client.",
    };

    public static Task NameAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "NSMS API";
        document.Info.Description = "Newsstand management: records, workloads, the messenger topic and notifications.";
        foreach (var tag in document.Tags ?? new HashSet<OpenApiTag>())
        {
            if (tag.Name is { } name && Tags.TryGetValue(name, out var description))
            {
                tag.Description = description;
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// A string property with a <see cref="TextAttribute"/> limit gets it as <c>maxLength</c> (in characters, as the limit counts);
    /// a new password also its <see cref="PasswordPolicy.MinLength"/>.
    /// </summary>
    public static Task LimitTextAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var text = context.JsonPropertyInfo?.AttributeProvider?.GetCustomAttributes(typeof(TextAttribute), inherit: true).OfType<TextAttribute>().FirstOrDefault();
        if (text is { MaxLength: < int.MaxValue })
        {
            schema.MaxLength = text.MaxLength;
        }
        if (context.JsonPropertyInfo is { Name: "password" } property && property.DeclaringType == typeof(NewLogin))
        {
            schema.MinLength = PasswordPolicy.MinLength;
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// <c>POST /ch08/admin/login/list</c>: each item is an admin record with its <c>login</c> (null when the admin has none),
    /// the schema <c>AdminWithLogin</c>.
    /// </summary>
    public static Task AdminWithLoginAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var document = context.Document!;
        var item = new OpenApiSchema
        {
            AllOf =
            [
                new OpenApiSchemaReference(nameof(AdminRecord), document),
                new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Required = new HashSet<string> { "login" },
                    Properties = new Dictionary<string, IOpenApiSchema>
                    {
                        ["login"] = new OpenApiSchema { OneOf = [new OpenApiSchemaReference(nameof(LoginView), document), new OpenApiSchema { Type = JsonSchemaType.Null }] },
                    },
                },
            ],
        };
        document.Components ??= new OpenApiComponents();
        (document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>())[AdminWithLogin] = item;
        operation.Responses!["200"].Content!["application/json"].Schema = new OpenApiSchema
        {
            Type = JsonSchemaType.Array,
            Items = new OpenApiSchemaReference(AdminWithLogin, document),
        };
        return Task.CompletedTask;
    }
}
