using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;

namespace Newsstand.Hosting;

/// <summary>
/// How both hosts fail to start: a configuration the start-up checks refuse, or a web address taken after
/// them, ends the process with exit code 2 and one line <c>The {host} cannot start: ...</c> saying what to change.
/// </summary>
public static class HostStartup
{
    public const int CannotStart = 2;

    /// <summary>Runs <paramref name="checks"/>; null when they pass, else the exit code after the refusal is printed.</summary>
    public static async Task<int?> CheckAsync(string host, Action checks)
    {
        try
        {
            checks();
            return null;
        }
        catch (StartupCheckException problem)
        {
            await Console.Error.WriteLineAsync($"The {host} cannot start: {problem.Message}");
            return CannotStart;
        }
    }

    /// <summary>Runs the host until it stops; a web address another process took meanwhile is reported like a failed check.</summary>
    public static async Task<int> RunUntilStoppedAsync(this WebApplication app, string host, string remedy)
    {
        try
        {
            await app.RunAsync();
            return 0;
        }
        catch (IOException bind) when (bind.InnerException is AddressInUseException)
        {
            await Console.Error.WriteLineAsync($"The {host} cannot start: {bind.Message} {remedy}");
            return CannotStart;
        }
    }
}
