using System.Diagnostics;

namespace Newsstand.Tests.Infrastructure;

/// <summary>Machine commands the tests run to their end (mkfs, losetup, pg_ctl, git, kubectl...).</summary>
internal static class Commands
{
    /// <summary>Runs <paramref name="command"/> and returns what it printed; a non-zero exit throws with its output.</summary>
    public static async Task<string> RunAsync(string command, params string[] arguments) =>
        (await RunCapturingAsync(command, arguments)).Output;

    /// <summary>Runs <paramref name="command"/> and returns its standard output and error apart; a non-zero exit throws with both.</summary>
    public static Task<(string Output, string Errors)> RunCapturingAsync(string command, params string[] arguments) =>
        RunInAsync(workingDirectory: null, command, arguments);

    /// <summary>Runs <paramref name="command"/> in <paramref name="workingDirectory"/> (the current one when null), as <see cref="RunCapturingAsync"/>.</summary>
    public static async Task<(string Output, string Errors)> RunInAsync(string? workingDirectory, string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(command)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0
            ? (await output, await error)
            : throw new InvalidOperationException($"{command} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await error}{await output}");
    }
}
