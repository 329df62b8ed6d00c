using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Newsstand.Api.Streaming;

namespace Newsstand.Tests.Api;

/// <summary>The server-sent-events writer that every push feed shares.</summary>
public sealed class ServerSentEventsTests
{
    [Fact]
    public async Task EventsAreFramedAndAHeartbeatFillsTheSilenceUntilTheClientLeaves()
    {
        using var time = new WatchedTime();
        using var left = new CancellationTokenSource();
        var body = new WatchedStream();
        var context = new DefaultHttpContext { RequestAborted = left.Token };
        context.Response.Body = body;
        var events = Channel.CreateUnbounded<ServerSentEvent>();
        var disposed = new TaskCompletionSource();

        events.Writer.TryWrite(new ServerSentEvent("p0-1", "added", "{\"a\":1}\n{\"b\":2}", 15000));
        var writing = ServerSentEvents.WriteAsync(context, Watch(events.Reader, disposed), TimeSpan.FromSeconds(15), time);
        await body.NextWriteAsync();
        // The writer has written the event (it was ready at once: no timer for it) and now waits for the next one, with a heartbeat timer.
        await time.TimersCreatedAsync(1);
        time.Fake.Advance(TimeSpan.FromSeconds(15));
        await body.NextWriteAsync();
        await left.CancelAsync();
        await writing.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("text/event-stream", context.Response.ContentType);
        Assert.Equal("id: p0-1\nevent: added\nretry: 15000\ndata: {\"a\":1}\ndata: {\"b\":2}\n\n: heartbeat\n\n", body.Text);
        await disposed.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task AStoppingHostEndsTheAnswerCleanlyAndTheSubscriptionWithIt()
    {
        using var stopping = new CancellationTokenSource();
        var lifetime = new StoppingLifetime(stopping.Token);
        var context = new DefaultHttpContext
        {
            RequestServices = new ServiceCollection()
                .AddSingleton<IHostApplicationLifetime>(lifetime).BuildServiceProvider(),
        };
        context.Response.Body = new WatchedStream();
        var events = Channel.CreateUnbounded<ServerSentEvent>();
        var disposed = new TaskCompletionSource();

        var writing = ServerSentEvents.WriteAsync(context, Watch(events.Reader, disposed), TimeSpan.FromSeconds(15), new FakeTimeProvider());
        await stopping.CancelAsync();

        await writing.WaitAsync(TimeSpan.FromSeconds(10));
        await disposed.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task TheAnswerEndsWhenTheEventsEnd()
    {
        var body = new WatchedStream();
        var context = new DefaultHttpContext();
        context.Response.Body = body;
        var events = Channel.CreateUnbounded<ServerSentEvent>();
        events.Writer.TryWrite(new ServerSentEvent("1", "tick", "{}"));
        events.Writer.Complete();

        await ServerSentEvents.WriteAsync(context, events.Reader.ReadAllAsync(), TimeSpan.FromSeconds(15), new FakeTimeProvider()).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("id: 1\nevent: tick\ndata: {}\n\n", body.Text);
    }

    private static async IAsyncEnumerable<ServerSentEvent> Watch(ChannelReader<ServerSentEvent> reader, TaskCompletionSource disposed,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        try
        {
            await foreach (var item in reader.ReadAllAsync(cancellationToken))
            {
                yield return item;
            }
        }
        finally
        {
            disposed.TrySetResult();
        }
    }

    private sealed class StoppingLifetime(CancellationToken stopping) : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => stopping;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication()
        {
        }
    }

    /// <summary>Fake time that tells the test when the writer has set a timer, so the test moves the clock only after it.</summary>
    private sealed class WatchedTime : TimeProvider, IDisposable
    {
        private readonly SemaphoreSlim _timers = new(0);

        public FakeTimeProvider Fake { get; } = new();

        public override DateTimeOffset GetUtcNow() => Fake.GetUtcNow();

        public override long GetTimestamp() => Fake.GetTimestamp();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = Fake.CreateTimer(callback, state, dueTime, period);
            _timers.Release();
            return timer;
        }

        public void Dispose() => _timers.Dispose();

        public async Task TimersCreatedAsync(int count)
        {
            for (var i = 0; i < count; i++)
            {
                Assert.True(await _timers.WaitAsync(TimeSpan.FromSeconds(10)), "The writer set no timer.");
            }
        }
    }

    /// <summary>A response body that lets the test wait for the writer's next flush instead of sleeping.</summary>
    private sealed class WatchedStream : MemoryStream
    {
        private readonly SemaphoreSlim _writes = new(0);

        public string Text => Encoding.UTF8.GetString(ToArray());

        public async Task NextWriteAsync() => Assert.True(await _writes.WaitAsync(TimeSpan.FromSeconds(10)), "The writer did not flush.");

        public override async Task FlushAsync(CancellationToken cancellationToken)
        {
            await base.FlushAsync(cancellationToken);
            _writes.Release();
        }

        protected override void Dispose(bool disposing)
        {
            _writes.Dispose();
            base.Dispose(disposing);
        }
    }
}
