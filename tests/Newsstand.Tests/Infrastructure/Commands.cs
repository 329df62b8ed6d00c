using System.Diagnostics;

namespace Newsstand.Tests.Infrastructure;

/// <summary>Machine commands the test fixtures run (mkfs, losetup, pg_ctl...), each to its end.</summary>
internal static class Commands
{
    /// <summary>Runs <paramref name="command"/> and returns what it printed; a non-zero exit throws with its output.</summary>
    public static async Task<string> RunAsync(string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0
            ? await output
            : throw new InvalidOperationException($"{command} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await error}{await output}");
    }
}
