using System.Collections.Concurrent;
using System.Diagnostics;

namespace Newsstand.Tests.Infrastructure;

/// <summary>
/// The tests' one runner of long-lived processes (a built silo or web client, Redis, a script): its output
/// lines are kept, waits for a line are event-driven (no polling), and it is stopped by its own PID only.
/// Commands that run to their end go through <see cref="Commands"/>.
/// </summary>
internal sealed class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Seen)> _waiters = [];
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private HostProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }

    public int Pid => _process.Id;

    public Task<int> Exited => _exited.Task;

    public string Output => string.Join('\n', _lines);

    public static HostProcess Start(string name, string executable, IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        StartWithInput(name, executable, environment, input: null, arguments);

    /// <summary>Starts the process and writes <paramref name="input"/> to its standard input (e.g. a secret it must not see on its command line).</summary>
    public static HostProcess StartWithInput(string name, string executable, IReadOnlyDictionary<string, string> environment, string? input, params string[] arguments)
    {
        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = Path.GetDirectoryName(executable) is { Length: > 0 } folder ? folder : Path.GetTempPath(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = input is not null,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        // Plain console logs, one line per entry, so a test can wait for a line.
        start.Environment["Logging__Console__FormatterName"] = "simple";
        start.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        start.Environment["DOTNET_NOLOGO"] = "1";
        // The process tests exercise hosting, failover and TLS with the original's anonymous contract; access has its own tests.
        start.Environment["Auth__Mode"] = "Open";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        var process = new Process { StartInfo = start };
        var host = new HostProcess(name, process);
        process.OutputDataReceived += (_, e) => host.Receive(e.Data);
        process.ErrorDataReceived += (_, e) => host.Receive(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (input is not null)
        {
            process.StandardInput.Write(input);
            process.StandardInput.Close();
        }
        // WaitForExitAsync also waits for the last output lines, so a test that saw the exit sees them.
        _ = process.WaitForExitAsync().ContinueWith(_ => host._exited.TrySetResult(process.ExitCode), TaskScheduler.Default);
        return host;
    }

    /// <summary>The first output line matching <paramref name="match"/>; fails if the process exits or <paramref name="within"/> passes first.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan within)
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waiters)
        {
            var earlier = _lines.FirstOrDefault(match);
            if (earlier is not null)
            {
                return earlier;
            }
            _waiters.Add((match, seen));
        }
        var first = await Task.WhenAny(seen.Task, _exited.Task).WaitAsync(within).ConfigureAwait(false);
        return first == seen.Task
            ? await seen.Task
            : throw new InvalidOperationException($"{Name} exited with code {await _exited.Task} before the expected line. Output:\n{Output}");
    }

    /// <summary>Waits for the host's "Application started" line (every hosted service, the Orleans silo or client included, has started).</summary>
    public Task WaitStartedAsync(TimeSpan within) =>
        WaitForLineAsync(line => line.Contains("Application started", StringComparison.Ordinal), within);

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public void Kill() => _process.Kill(entireProcessTree: false);

    /// <summary>SIGTERM (a clean shutdown leaves the membership table tidy), then SIGKILL after <paramref name="patience"/>; returns the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan patience)
    {
        if (!_process.HasExited)
        {
            try
            {
                await Commands.RunAsync("kill", "-TERM", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            catch (InvalidOperationException) when (_process.HasExited)
            {
                // It exited on its own in the meantime.
            }
            if (await Task.WhenAny(_exited.Task, Task.Delay(patience)) != _exited.Task)
            {
                _process.Kill();
            }
        }
        return await _exited.Task;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(15));
        _process.Dispose();
    }

    private void Receive(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_waiters)
        {
            _lines.Enqueue(line);
            foreach (var waiter in _waiters.Where(waiter => waiter.Match(line)).ToList())
            {
                waiter.Seen.TrySetResult(line);
                _waiters.Remove(waiter);
            }
        }
    }
}
