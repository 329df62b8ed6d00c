namespace Newsstand.Api.Apis;

/// <summary>
/// Two endpoints that take the same conventions (an access policy, a rate limit): a list's <c>GET</c> and its
/// <c>HEAD</c>, mapped as separate operations so that each has its own name and answers in the OpenAPI document.
/// </summary>
internal sealed class EndpointPair(IEndpointConventionBuilder first, IEndpointConventionBuilder second) : IEndpointConventionBuilder
{
    public void Add(Action<EndpointBuilder> convention)
    {
        first.Add(convention);
        second.Add(convention);
    }

    public void Finally(Action<EndpointBuilder> finallyConvention)
    {
        first.Finally(finallyConvention);
        second.Finally(finallyConvention);
    }
}
