namespace Newsstand.Tests.Infrastructure;

/// <summary>Holds every task queued to it until <see cref="Open"/>, then runs them (and later ones) on the thread pool.</summary>
internal sealed class GatedScheduler : TaskScheduler
{
    private readonly List<Task> _held = [];
    private bool _open;

    public void Open()
    {
        Task[] held;
        lock (_held)
        {
            _open = true;
            held = [.. _held];
            _held.Clear();
        }
        foreach (var task in held)
        {
            Run(task);
        }
    }

    protected override void QueueTask(Task task)
    {
        lock (_held)
        {
            if (!_open)
            {
                _held.Add(task);
                return;
            }
        }
        Run(task);
    }

    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => false;

    protected override IEnumerable<Task> GetScheduledTasks()
    {
        lock (_held)
        {
            return [.. _held];
        }
    }

    private void Run(Task task) => ThreadPool.UnsafeQueueUserWorkItem(_ => TryExecuteTask(task), null);
}
