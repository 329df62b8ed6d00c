using System.Collections.ObjectModel;
using System.Diagnostics;
using Newsstand.Hosting;
using Newsstand.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Newsstand.Tests.Telemetry;

/// <summary>The web client's own OpenTelemetry setup, exporting to memory, across a real Orleans hop (TCP) into the silo.</summary>
[Collection(SqliteClusterDefinition.Name)]
public sealed class TracingTests(ClusterFixture fixture)
{
    private static readonly TimeSpan ExportTimeout = TimeSpan.FromSeconds(30);

    // Telemetry is set up only when it is exported somewhere; nothing listens on this port (the discard port), the
    // spans are read from memory.
    private static readonly (string, string) Exporting = (TelemetryExtensions.OtlpEndpointKey, "http://127.0.0.1:9");

    [Fact]
    public async Task OneRequestIsOneTraceFromTheWebClientIntoTheGrain()
    {
        var spans = new ExportedSpans();
        await using var web = fixture.CreateWebClient(Exporting).WithWebHostBuilder(host =>
            host.ConfigureServices(services => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans).SetSampler(new AlwaysOnSampler()))));
        using var http = web.CreateClient();

        // The provider listens to every ASP.NET Core host in this process, and tests of other collections ask the same
        // route meanwhile (some answered without a grain call: bad input, a whole list served from the silo); this
        // request is told apart by the trace it continues (W3C traceparent), which the web client's span joins.
        var trace = ActivityTraceId.CreateRandom();
        using var ask = new HttpRequestMessage(HttpMethod.Get, "/ch08/vendor/list?limit=1");
        ask.Headers.Add("traceparent", $"00-{trace.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        using var response = await http.SendAsync(ask);
        response.EnsureSuccessStatusCode();

        var request = await spans.WaitForAsync(span => span.TraceId == trace && span.Kind == ActivityKind.Server
            && span.Source.Name == "Microsoft.AspNetCore" && span.GetTagItem("url.path") as string == "/ch08/vendor/list").WaitAsync(ExportTimeout);
        // The grain may call further grains (the table index reads a chunk), whose spans end first; the web
        // client's own call is the one whose parent is the request, and the grain span is that call's child.
        var call = await spans.WaitForAsync(span => span.TraceId == request.TraceId && span.Kind == ActivityKind.Client
            && IsOurGrainCall(span) && span.ParentSpanId == request.SpanId).WaitAsync(ExportTimeout);
        var grain = await spans.WaitForAsync(span => span.TraceId == request.TraceId && span.Kind == ActivityKind.Server
            && IsOurGrainCall(span) && span.ParentSpanId == call.SpanId).WaitAsync(ExportTimeout);

        Assert.Equal(call.GetTagItem("rpc.method"), grain.GetTagItem("rpc.method"));
    }

    [Fact]
    public async Task WithoutAnEndpointNothingIsCollected()
    {
        await using var web = fixture.CreateWebClient();
        using var http = web.CreateClient();

        using var response = await http.GetAsync("/ch08/vendor/list?limit=1");
        response.EnsureSuccessStatusCode();

        // No provider: no span listener on ASP.NET Core or Orleans, no metric aggregation, no log exporter.
        Assert.Null(web.Services.GetService<TracerProvider>());
        Assert.Null(web.Services.GetService<MeterProvider>());
    }

    private static bool IsOurGrainCall(Activity span) =>
        span.Source.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal)
        && (span.GetTagItem("orleans.rpc.service") as string)?.StartsWith("Newsstand.", StringComparison.Ordinal) == true;

    /// <summary>The in-memory exporter's target: a collection that wakes whoever waits for a span.</summary>
    private sealed class ExportedSpans : Collection<Activity>
    {
        private readonly List<(Func<Activity, bool> Match, TaskCompletionSource<Activity> Seen)> _waiters = [];

        public Task<Activity> WaitForAsync(Func<Activity, bool> match)
        {
            lock (_waiters)
            {
                if (this.FirstOrDefault(match) is { } earlier)
                {
                    return Task.FromResult(earlier);
                }
                var seen = new TaskCompletionSource<Activity>(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((match, seen));
                return seen.Task;
            }
        }

        protected override void InsertItem(int index, Activity item)
        {
            lock (_waiters)
            {
                base.InsertItem(index, item);
                foreach (var waiter in _waiters.Where(waiter => waiter.Match(item)).ToList())
                {
                    waiter.Seen.TrySetResult(item);
                    _waiters.Remove(waiter);
                }
            }
        }
    }
}
