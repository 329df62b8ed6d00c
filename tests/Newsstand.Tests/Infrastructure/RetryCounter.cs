using System.Diagnostics.Metrics;
using Newsstand.Messaging;

namespace Newsstand.Tests.Infrastructure;

/// <summary>Counts the retries of one partition's consumer (the <c>newsstand.topic.retries</c> counter) from now on.</summary>
internal sealed class RetryCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<(int Count, TaskCompletionSource Reached)> _waits = [];
    private int _count;

    private RetryCounter(int partition)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == TopicMetrics.MeterName && instrument.Name == "newsstand.topic.retries")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "partition" && tag.Value is int p && p == partition)
                {
                    Seen((int)value);
                }
            }
        });
        _listener.Start();
    }

    public static RetryCounter Listen(int partition) => new(partition);

    /// <summary>Completes once at least <paramref name="count"/> retries were counted.</summary>
    public Task AtLeastAsync(int count)
    {
        lock (_waits)
        {
            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_count >= count)
            {
                reached.SetResult();
            }
            else
            {
                _waits.Add((count, reached));
            }
            return reached.Task;
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Seen(int value)
    {
        lock (_waits)
        {
            _count += value;
            foreach (var wait in _waits.Where(w => w.Count <= _count))
            {
                wait.Reached.TrySetResult();
            }
        }
    }
}
