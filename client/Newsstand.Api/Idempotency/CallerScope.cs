using System.Security.Cryptography;
using System.Text;
using Newsstand.Api.Hosting;
using Newsstand.Idempotency;

namespace Newsstand.Api.Idempotency;

/// <summary>
/// Whose idempotency keys a request uses: the subject (<c>sub</c> claim) of its token when the caller signed in, else
/// its client address as the per-address limits count it (<see cref="ClientAddress"/>; <c>Auth__Mode=Open</c>). Two
/// callers never share a key's answer.
/// </summary>
internal static class CallerScope
{
    public static string Of(HttpContext context)
    {
        if (context.User.FindFirst("sub")?.Value is { Length: > 0 } subject)
        {
            var scope = "sub:" + subject;
            // A subject too long for the column is kept by its hash (still one scope per subject).
            return scope.Length <= IdempotencyRecord.ScopeLength ? scope : "sub#" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(subject)));
        }
        return "address:" + ClientAddress.Key(context.Connection.RemoteIpAddress);
    }
}
