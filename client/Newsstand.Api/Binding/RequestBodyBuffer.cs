using System.Buffers;
using Newsstand.Api.Errors;

namespace Newsstand.Api.Binding;

/// <summary>
/// A request body read whole into a buffer rented from the shared pool, sized by <c>Content-Length</c> when the request
/// gives one (at most <see cref="RequestLimits.MaxBodyBytes"/>; more is 413). A fresh 16 KiB chunk and a growing
/// stream per request were most of the web client's allocations per insert. Disposing wipes the bytes read (a body
/// may carry a password) and gives the buffer back; a <see cref="System.Text.Json.JsonDocument"/> parsed from
/// <see cref="Memory"/> reads it in place, so it must be disposed first.
/// </summary>
internal sealed class RequestBodyBuffer : IDisposable
{
    private const int UnknownLengthStart = 4 * 1024;

    private byte[] _buffer;
    private int _length;

    private RequestBodyBuffer(byte[] buffer) => _buffer = buffer;

    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, _length);

    public static async Task<RequestBodyBuffer> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > RequestLimits.MaxBodyBytes)
        {
            throw BodyProblems.TooLargeError();
        }
        // One byte beyond the announced length: a body longer than announced is read to its end rather than trusted.
        var body = new RequestBodyBuffer(ArrayPool<byte>.Shared.Rent((int)(request.ContentLength ?? UnknownLengthStart) + 1));
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(body.Free(), cancellationToken)) > 0)
            {
                body._length += read;
                if (body._length > RequestLimits.MaxBodyBytes)
                {
                    throw BodyProblems.TooLargeError();
                }
            }
            return body;
        }
        catch
        {
            body.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            buffer.AsSpan(0, _length).Clear();
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The unused end of the buffer, grown (doubled, up to one byte past the limit) when it is full.</summary>
    private Memory<byte> Free()
    {
        if (_length == _buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Min(_buffer.Length * 2, RequestLimits.MaxBodyBytes + 1));
            _buffer.AsSpan(0, _length).CopyTo(larger);
            _buffer.AsSpan(0, _length).Clear();
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }
        return _buffer.AsMemory(_length);
    }
}
