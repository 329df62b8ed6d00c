using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Newsstand.Errors;

namespace Newsstand.Security;

/// <summary>
/// The lane for CPU-heavy work: a fixed set of dedicated, low-priority threads fed by a bounded queue.
/// It is neither the Orleans scheduler nor the shared thread pool, so light requests keep their threads
/// and, at nice 19, their CPU. A full queue is refused at once with <see cref="OverloadedException"/>;
/// callers await the returned task, which is the grain's coroutine switch.
/// </summary>
internal sealed partial class HashingLane : IDisposable
{
    public const string LaneName = "hashing";
    public const string MeterName = "Newsstand.HashingLane";
    public const string ThreadNamePrefix = "hashing-lane-";
    public const string ActivitySourceName = "Newsstand.HashingLane";

    // One span per item, from queueing to completion, under the request that queued it.
    private static readonly ActivitySource Tracing = new(ActivitySourceName);

    private readonly BlockingCollection<WorkItem> _queue;
    private readonly Thread[] _threads;
    private readonly ILogger<HashingLane> _logger;
    private readonly Meter _meter;
    private readonly Counter<long> _rejected;
    private readonly Histogram<double> _duration;
    private int _inFlight;
    // Exponentially weighted mean duration of one item, for Retry-After; starts at the cost of one hash here.
    private double _meanSeconds = 0.16;

    public HashingLane(IOptions<HashingOptions> options, ILogger<HashingLane> logger, IMeterFactory meters)
    {
        var settings = options.Value;
        _logger = logger;
        Concurrency = settings.Concurrency;
        QueueLength = settings.QueueLength;
        // Items taken by a thread leave the collection, so its bound is the waiting room alone.
        _queue = new BlockingCollection<WorkItem>(QueueLength);
        _meter = meters.Create(MeterName);
        _meter.CreateObservableGauge("newsstand.hashing_lane.queue_depth", () => _queue.Count, "{item}", "Items waiting for a lane thread.");
        _meter.CreateObservableGauge("newsstand.hashing_lane.in_flight", () => Volatile.Read(ref _inFlight), "{item}", "Items running on lane threads.");
        _rejected = _meter.CreateCounter<long>("newsstand.hashing_lane.rejected", "{item}", "Items refused because the queue was full.");
        _duration = _meter.CreateHistogram<double>("newsstand.hashing_lane.duration", "s", "Time an item ran on a lane thread.");

        _threads = new Thread[Concurrency];
        for (var i = 0; i < Concurrency; i++)
        {
            _threads[i] = new Thread(() => Run(settings.Priority)) { IsBackground = true, Name = ThreadNamePrefix + i };
            _threads[i].Start();
        }
    }

    /// <summary>Tags this lane's spans, to tell the lanes of several silos in one process apart.</summary>
    public string InstanceId { get; } = Guid.NewGuid().ToString("N")[..8];

    public int Concurrency { get; }

    public int QueueLength { get; }

    /// <summary>Runs <paramref name="work"/> on a lane thread, or throws <see cref="OverloadedException"/> at once if the queue is full.</summary>
    public Task<T> RunAsync<T>(Func<T> work)
    {
        var caller = Activity.Current;
        var activity = Tracing.StartActivity(ActivityKind.Internal, tags: [new("newsstand.lane.instance", InstanceId)], name: "hashing lane item");
        // The span lives on the lane thread; the caller's own current activity stays as it was.
        Activity.Current = caller;
        var item = new WorkItem<T>(work, activity);
        if (!_queue.TryAdd(item))
        {
            _rejected.Add(1);
            activity?.SetStatus(ActivityStatusCode.Error, "queue full").Dispose();
            throw new OverloadedException(LaneName, RetryAfterSeconds());
        }
        return item.Completion.Task;
    }

    /// <summary>Seconds until the lane has likely worked off what is queued now (at least 1).</summary>
    public int RetryAfterSeconds()
    {
        var backlog = _queue.Count + Volatile.Read(ref _inFlight);
        var seconds = backlog * Volatile.Read(ref _meanSeconds) / Concurrency;
        return (int)Math.Clamp(Math.Ceiling(seconds), 1, 60);
    }

    private void Run(LanePriority priority)
    {
        if (!ThreadPriority.TryLowerCurrentThread(priority))
        {
            LogPriorityNotLowered(Thread.CurrentThread.Name, priority);
        }
        foreach (var item in _queue.GetConsumingEnumerable())
        {
            Interlocked.Increment(ref _inFlight);
            var started = Stopwatch.GetTimestamp();
            item.Execute();
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            Interlocked.Decrement(ref _inFlight);
            _duration.Record(seconds);
            Volatile.Write(ref _meanSeconds, (0.9 * Volatile.Read(ref _meanSeconds)) + (0.1 * seconds));
        }
    }

    public void Dispose()
    {
        _queue.CompleteAdding();
        foreach (var thread in _threads)
        {
            // Lets queued items finish: each is at most one hash long.
            thread.Join(TimeSpan.FromSeconds(10));
        }
        _queue.Dispose();
        _meter.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not set CPU priority {Priority} for {Thread}; light requests may slow down under hashing load.")]
    private partial void LogPriorityNotLowered(string? thread, LanePriority priority);

    private abstract class WorkItem
    {
        public abstract void Execute();
    }

    private sealed class WorkItem<T>(Func<T> work, Activity? activity) : WorkItem
    {
        // Continuations never run inline on a lane thread: they belong to the caller's scheduler.
        public TaskCompletionSource<T> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Execute()
        {
            activity?.AddEvent(new ActivityEvent("started"));
            try
            {
                Completion.SetResult(work());
            }
#pragma warning disable CA1031 // Any failure of the work belongs to its caller, never to the lane thread.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
                Completion.SetException(ex);
            }
            finally
            {
                activity?.Dispose();
            }
        }
    }
}
