using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Newsstand.Api.Access;

/// <summary>
/// The one requirement of the <see cref="AccessPolicies.SignedIn"/> and <see cref="AccessPolicies.Admin"/> policies in
/// <see cref="AccessMode.Open"/>: anyone meets it. Asked through the authorization service it succeeds like any
/// self-handled requirement; a route's policy made of it alone is admitted by <see cref="Evaluator"/> without asking
/// that service, which would make a handler context, run every registered handler and evaluate the outcome per request
/// (about 2 µs of a light read's CPU, bench/README.md). A policy with any other requirement (the fallback policy, the
/// dashboard's) is evaluated as before.
/// </summary>
internal sealed class OpenAccess : IAuthorizationRequirement, IAuthorizationHandler
{
    public static readonly OpenAccess Requirement = new();

    private OpenAccess()
    {
    }

    public Task HandleAsync(AuthorizationHandlerContext context)
    {
        context.Succeed(this);
        return Task.CompletedTask;
    }

    /// <summary>Whether <paramref name="policy"/> admits anyone: it holds nothing but <see cref="Requirement"/>.</summary>
    public static bool AdmitsAnyone(AuthorizationPolicy policy)
    {
        foreach (var requirement in policy.Requirements)
        {
            if (requirement is not OpenAccess)
            {
                return false;
            }
        }
        return policy.Requirements.Count > 0;
    }

    /// <summary>ASP.NET Core's policy evaluator, answering a policy that admits anyone at once. Authentication is its own
    /// (the user a credential signed in stays the request's).</summary>
    internal sealed class Evaluator(PolicyEvaluator evaluator) : IPolicyEvaluator
    {
        private static readonly Task<PolicyAuthorizationResult> Admitted = Task.FromResult(PolicyAuthorizationResult.Success());

        public Task<AuthenticateResult> AuthenticateAsync(AuthorizationPolicy policy, HttpContext context) =>
            evaluator.AuthenticateAsync(policy, context);

        public Task<PolicyAuthorizationResult> AuthorizeAsync(AuthorizationPolicy policy, AuthenticateResult authenticationResult, HttpContext context, object? resource) =>
            AdmitsAnyone(policy) ? Admitted : evaluator.AuthorizeAsync(policy, authenticationResult, context, resource);
    }
}
