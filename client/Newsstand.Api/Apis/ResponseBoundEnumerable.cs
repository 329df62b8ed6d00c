namespace Newsstand.Api.Apis;

/// <summary>
/// A grain's streamed answer whose enumeration is disposed when its response ends, however it ends. System.Text.Json
/// disposes an enumeration it leaves early only when a write throws (the abort seen through <c>RequestAborted</c>); when
/// the client closed the connection while a write waited on a full socket, the flush instead reports the response's
/// writer completed, and the serializer returns as if the answer were done, the enumeration left undisposed. Orleans
/// then keeps the grain's enumerator, and its scan, until its own cleanup (one to two response timeouts later), and the
/// grain never hears that its caller left. Registered with the response, the disposal (which tells the grain to stop)
/// runs once the request has ended; an enumeration already disposed is not disposed again.
/// </summary>
internal sealed class ResponseBoundEnumerable<T>(IAsyncEnumerable<T> items, HttpResponse response) : IAsyncEnumerable<T>
{
    public IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        var enumerator = new Enumerator(items.GetAsyncEnumerator(cancellationToken));
        response.RegisterForDisposeAsync(enumerator);
        return enumerator;
    }

    /// <summary>The grain's enumerator, disposed once (by the serializer or by the response's end, whichever comes first).</summary>
    private sealed class Enumerator(IAsyncEnumerator<T> inner) : IAsyncEnumerator<T>
    {
        private int _disposed;

        public T Current => inner.Current;

        public ValueTask<bool> MoveNextAsync() => inner.MoveNextAsync();

        public ValueTask DisposeAsync() => Interlocked.Exchange(ref _disposed, 1) == 0 ? inner.DisposeAsync() : ValueTask.CompletedTask;
    }
}

/// <summary>Binds a streamed answer to its response (<see cref="ResponseBoundEnumerable{T}"/>).</summary>
internal static class ResponseBoundEnumerables
{
    public static IAsyncEnumerable<T> DisposedWithResponse<T>(this IAsyncEnumerable<T> items, HttpContext http) =>
        new ResponseBoundEnumerable<T>(items, http.Response);
}
