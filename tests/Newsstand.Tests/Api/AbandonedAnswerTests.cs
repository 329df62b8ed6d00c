using System.IO.Pipelines;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Newsstand.Grains;
using Newsstand.Records;
using Newsstand.Tests.Infrastructure;
using Newsstand.Workloads;

namespace Newsstand.Tests.Api;

/// <summary>
/// A streamed answer whose client is gone stops the silo's scan however the web client learns of it. Kestrel reports a
/// connection the client closed while a write waited on a full socket by completing the response's writer: the flush
/// says "completed", nothing throws, and System.Text.Json returns as if the answer were done without disposing the
/// grain's enumeration. Here every flush of the answer says so, as Kestrel's does then.
/// </summary>
[Collection(SqliteClusterDefinition.Name)]
public sealed class AbandonedAnswerTests(ClusterFixture fixture)
{
    private const string Path = "/ch08/login/list/records";

    // More logins than Orleans sends in the enumeration's first batch (100), so the answer is left mid-scan.
    private const int Logins = 150;

    [Fact]
    public async Task AnAnswerWhoseConnectionIsGoneWhenItFlushesStopsTheSilosScan()
    {
        await EnoughLoginsAsync();
        await using var web = fixture.CreateWebClient().WithWebHostBuilder(host =>
            host.ConfigureServices(services => services.AddSingleton<IStartupFilter, GoneConnectionOn>()));
        using var http = web.CreateClient();
        var endedBefore = EndedEarlyLines();

        using var response = await http.GetAsync(Path);

        await Eventually.TrueAsync(() => Task.FromResult(EndedEarlyLines() > endedBefore), TimeSpan.FromSeconds(20));
    }

    private async Task EnoughLoginsAsync()
    {
        var present = await fixture.Grains.TableIndex<LoginView>().CountAsync();
        // One at a time: the password hashing lane refuses a burst.
        for (var added = present; added < Logins; added++)
        {
            await fixture.Http.AddAsync("login", Bodies.Login(Ids.Next()));
        }
    }

    private static int EndedEarlyLines() =>
        LogCapture.Shared.Lines.Count(line => line.Contains(nameof(LoginRecordsGrain), StringComparison.Ordinal) && line.Contains("ended early", StringComparison.Ordinal));

    /// <summary>The answers of <see cref="Path"/> go to a connection the client has closed (see the class summary).</summary>
    private sealed class GoneConnectionOn : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, rest) =>
            {
                if (context.Request.Path == Path)
                {
                    context.Features.Set<IHttpResponseBodyFeature>(new GoneConnectionBody(context.Features.Get<IHttpResponseBodyFeature>()!));
                }
                await rest(context);
            });
            next(app);
        };
    }

    private sealed class GoneConnectionBody(IHttpResponseBodyFeature sent) : IHttpResponseBodyFeature
    {
        private readonly GoneConnectionWriter _writer = new();

        public Stream Stream => _writer.AsStream();

        public PipeWriter Writer => _writer;

        public void DisableBuffering() => sent.DisableBuffering();

        public Task StartAsync(CancellationToken cancellationToken = default) => sent.StartAsync(cancellationToken);

        public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("No file is sent here.");

        public Task CompleteAsync() => sent.CompleteAsync();
    }

    /// <summary>A writer whose reader (the connection) has completed: what is written is dropped, each flush says "completed".</summary>
    private sealed class GoneConnectionWriter : PipeWriter
    {
        private byte[] _buffer = new byte[4096];
        private long _unflushed;

        public override bool CanGetUnflushedBytes => true;

        public override long UnflushedBytes => _unflushed;

        public override void Advance(int bytes) => _unflushed += bytes;

        public override Memory<byte> GetMemory(int sizeHint = 0)
        {
            if (_buffer.Length < sizeHint)
            {
                _buffer = new byte[sizeHint];
            }
            return _buffer;
        }

        public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            _unflushed = 0;
            return ValueTask.FromResult(new FlushResult(isCanceled: false, isCompleted: true));
        }

        public override void CancelPendingFlush()
        {
        }

        public override void Complete(Exception? exception = null)
        {
        }
    }
}
