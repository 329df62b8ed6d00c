using System.Collections.Concurrent;

namespace Newsstand.Data;

/// <summary>
/// Runs tasks, and their continuations, on one dedicated thread. Microsoft.Data.Sqlite's async
/// methods complete synchronously (a commit waits for fsync), so SQLite work runs here instead of on
/// a grain turn or the shared thread pool. One thread also matches SQLite's single writer.
/// </summary>
internal sealed class DedicatedThreadScheduler : TaskScheduler, IDisposable
{
    private readonly BlockingCollection<Task> _tasks = [];
    private readonly Thread _thread;

    public DedicatedThreadScheduler(string name)
    {
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    public override int MaximumConcurrencyLevel => 1;

    protected override void QueueTask(Task task) => _tasks.Add(task);

    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) =>
        Thread.CurrentThread == _thread && TryExecuteTask(task);

    protected override IEnumerable<Task> GetScheduledTasks() => _tasks.ToArray();

    public void Dispose()
    {
        _tasks.CompleteAdding();
        // Queued work (each item one short statement) finishes before the silo lets go of the file.
        _thread.Join(TimeSpan.FromSeconds(10));
        _tasks.Dispose();
    }

    private void Run()
    {
        foreach (var task in _tasks.GetConsumingEnumerable())
        {
            TryExecuteTask(task);
        }
    }
}
