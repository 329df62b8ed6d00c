using System.Runtime.InteropServices;

namespace Newsstand.Security;

/// <summary>How lane threads compete with request threads for the CPU.</summary>
public enum LanePriority
{
    /// <summary>Linux SCHED_IDLE (plus nice 19): any normal thread that wakes preempts a lane thread at once.</summary>
    Idle,

    /// <summary>Nice 19 under the normal policy: lane threads get a small share whenever others want the CPU.</summary>
    Low,

    /// <summary>No change: lane threads compete with request threads as equals.</summary>
    Normal,
}

/// <summary>
/// Lowers the calling thread's CPU priority. On Linux each thread has its own nice value and
/// scheduling policy, which .NET's <see cref="Thread.Priority"/> does not change; an unprivileged
/// thread may always lower its own.
/// </summary>
internal static partial class ThreadPriority
{
    private const int PriorityProcess = 0;
    private const int SchedIdle = 5;

    public static bool TryLowerCurrentThread(LanePriority priority)
    {
        if (priority == LanePriority.Normal)
        {
            return true;
        }
        if (!OperatingSystem.IsLinux())
        {
            Thread.CurrentThread.Priority = System.Threading.ThreadPriority.Lowest;
            return true;
        }
        var lowered = SetPriority(PriorityProcess, GetThreadId(), 19) == 0;
        if (priority == LanePriority.Idle)
        {
            var parameters = 0;
            // pid 0 names the calling thread.
            lowered &= SetScheduler(0, SchedIdle, ref parameters) == 0;
        }
        return lowered;
    }

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetThreadId();

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, int who, int priority);

    [LibraryImport("libc", EntryPoint = "sched_setscheduler", SetLastError = true)]
    private static partial int SetScheduler(int pid, int policy, ref int parameters);
}
