using System.Runtime.InteropServices;

namespace Newsstand.Security;

/// <summary>
/// Lowers the calling thread's CPU priority. On Linux each thread has its own nice value, which .NET's
/// <see cref="Thread.Priority"/> does not change; an unprivileged thread may always lower its own.
/// </summary>
internal static partial class ThreadPriority
{
    private const int PriorityProcess = 0;

    public static bool TryLowerCurrentThread(int nice)
    {
        if (!OperatingSystem.IsLinux())
        {
            Thread.CurrentThread.Priority = System.Threading.ThreadPriority.Lowest;
            return true;
        }
        return SetPriority(PriorityProcess, GetThreadId(), nice) == 0;
    }

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetThreadId();

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, int who, int priority);
}
