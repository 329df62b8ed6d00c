using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Newsstand.Api.Apis;
using Newsstand.Records;

namespace Newsstand.Tests.Api;

/// <summary>The list writer on its own: how it joins slices, and that it stops when the client leaves.</summary>
public sealed class StreamedListTests
{
    [Fact]
    public async Task AOneSliceAnswerIsWrittenWholeWithItsLength()
    {
        var context = NewContext(new MemoryStream());

        await new StreamedListResult(_ => Task.FromResult(new ListSlice("{\"id\":1},{\"id\":2}"u8.ToArray(), 2, 2, Done: true)), Page.All).ExecuteAsync(context);

        Assert.Equal(19, context.Response.ContentLength);
        Assert.Equal("[{\"id\":1},{\"id\":2}]", Body(context));
    }

    [Fact]
    public async Task SlicesAreJoinedIntoOneArrayContinuingFromTheLastId()
    {
        var context = NewContext(new MemoryStream());
        var reads = new List<ListRead>();
        var slices = new Queue<ListSlice>([Slice(1, 2), new ListSlice([], 0, 2, Done: false), Slice(3, 3), Slice(4, 4, done: true)]);

        await new StreamedListResult(read => { reads.Add(read); return Task.FromResult(slices.Dequeue()); }, new Page(5, 10)).ExecuteAsync(context);

        Assert.Equal("[{\"id\":1},{\"id\":2},{\"id\":3},{\"id\":4}]", Body(context));
        Assert.Equal([new ListRead(0, 5, 10), new ListRead(2, 0, 8), new ListRead(2, 0, 8), new ListRead(3, 0, 7)], reads);
    }

    [Fact]
    public async Task AHeadRequestReadsOneSliceAndWritesNoBody()
    {
        var context = NewContext(new MemoryStream());
        context.Request.Method = HttpMethods.Head;
        var reads = 0;

        await new StreamedListResult(read => { reads++; return Task.FromResult(Slice(1, 3)); }, Page.All).ExecuteAsync(context);

        Assert.Equal(1, reads);
        Assert.Equal("", Body(context));
        Assert.Null(context.Response.ContentLength);
    }

    [Fact]
    public async Task TheWalkStopsAsSoonAsTheClientGoesAway()
    {
        using var gone = new CancellationTokenSource();
        var context = NewContext(new MemoryStream(), gone.Token);
        var reads = 0;

        await new StreamedListResult(read =>
        {
            if (++reads == 3)
            {
                gone.Cancel();
            }
            return Task.FromResult(Slice(read.AfterId + 1, read.AfterId + 1));
        }, Page.All).ExecuteAsync(context);

        Assert.Equal(3, reads);
    }

    [Fact]
    public async Task AFailureAfterTheFirstSliceCutsTheConnection()
    {
        var context = NewContext(new MemoryStream());
        var aborted = new AbortFeature();
        context.Features.Set<Microsoft.AspNetCore.Http.Features.IHttpRequestLifetimeFeature>(aborted);
        var reads = 0;

        await new StreamedListResult(_ => ++reads == 1 ? Task.FromResult(Slice(1, 1)) : Task.FromException<ListSlice>(new TimeoutException()), Page.All)
            .ExecuteAsync(context);

        Assert.True(aborted.Aborted);
        Assert.Equal("[{\"id\":1}", Body(context));
    }

    private static ListSlice Slice(int from, int to, bool done = false) =>
        new(Encoding.UTF8.GetBytes(string.Join(",", Enumerable.Range(from, to - from + 1).Select(i => $"{{\"id\":{i}}}"))), to - from + 1, to, done);

    private static DefaultHttpContext NewContext(MemoryStream body, CancellationToken aborted = default)
    {
        var context = new DefaultHttpContext
        {
            RequestServices = new ServiceCollection().AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance)
                .AddSingleton(typeof(ILogger<>), typeof(Logger<>)).BuildServiceProvider(),
            RequestAborted = aborted,
        };
        context.Response.Body = body;
        return context;
    }

    private static string Body(HttpContext context)
    {
        context.Response.BodyWriter.FlushAsync().AsTask().GetAwaiter().GetResult();
        return Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray());
    }

    private sealed class AbortFeature : Microsoft.AspNetCore.Http.Features.IHttpRequestLifetimeFeature
    {
        public bool Aborted { get; private set; }

        public CancellationToken RequestAborted { get; set; }

        public void Abort() => Aborted = true;
    }
}
