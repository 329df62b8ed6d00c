namespace Newsstand.Api.Binding;

/// <summary>Limits every request shares: Kestrel enforces the body size, and so does the JSON binder (TestServer has no Kestrel).</summary>
internal static class RequestLimits
{
    public const int MaxBodyBytes = 1024 * 1024;
}
