using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Newsstand.Api.Access;

/// <summary>
/// The OpenAPI document's view of access: an OAuth2 password-flow scheme whose token URL is
/// <c>POST /ch08/login/token</c> (so the docs page signs a person in), and on each operation with a policy its
/// security requirement and its 401 (and for admin routes 403) answer; an anonymous operation an empty requirement.
/// </summary>
internal static class OpenApiSecurity
{
    public const string SchemeName = "OAuth2";

    public static Task DeclareSchemeAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.OAuth2,
            Description = "Sign in with a login's username and password (OAuth2 password grant); send the token as Authorization: Bearer.",
            Flows = new OpenApiOAuthFlows
            {
                Password = new OpenApiOAuthFlow { TokenUrl = new Uri("/ch08/login/token", UriKind.Relative), Scopes = new Dictionary<string, string>() },
            },
        };
        return Task.CompletedTask;
    }

    public static Task DescribeOperationAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var policies = metadata.OfType<IAuthorizeData>().Select(a => a.Policy).ToList();
        if (policies.Count == 0 || metadata.OfType<IAllowAnonymous>().Any())
        {
            // An anonymous route says so: one empty requirement (no scheme needed), not an omitted list that a reader
            // cannot tell from a forgotten one.
            operation.Security = [new OpenApiSecurityRequirement()];
            return Task.CompletedTask;
        }
        operation.Security ??= [];
        operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, context.Document)] = [] });
        operation.Responses ??= new OpenApiResponses();
        operation.Responses.TryAdd("401", new OpenApiResponse { Description = "No token, or a token that is expired, not yet valid or not signed by this cluster (WWW-Authenticate: Bearer; problem+json)." });
        if (policies.Contains(AccessPolicies.Admin) || metadata.OfType<ProducesResponseTypeMetadata>().Any(p => p.StatusCode == StatusCodes.Status403Forbidden))
        {
            operation.Responses.TryAdd("403", new OpenApiResponse { Description = "A valid token without the role this route needs (problem+json)." });
        }
        return Task.CompletedTask;
    }
}
