using System.Security.Cryptography;
using System.Text;

namespace Newsstand.Api.Idempotency;

/// <summary>
/// What makes two requests "the same request" for an idempotency key: method, path, query string and body, hashed
/// (SHA-256, lowercase hex). The body is read into a rewindable buffer, so the endpoint reads it again from the start.
/// </summary>
internal static class RequestFingerprint
{
    public static async Task<string> OfAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        request.EnableBuffering();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{request.Method}\n{request.PathBase}{request.Path}\n{request.QueryString}\n"));
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, read);
        }
        request.Body.Position = 0;
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
