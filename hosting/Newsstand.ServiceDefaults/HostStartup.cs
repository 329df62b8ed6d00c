using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Newsstand.Hosting;

/// <summary>
/// How both hosts fail to start: a setting the start-up checks or the options' start-up validation refuse
/// (<see cref="Settings"/>), or a web address taken after them, ends the process with exit code 2 and one line
/// <c>The {host} cannot start: ...</c> naming the key to change.
/// </summary>
public static class HostStartup
{
    public const int CannotStart = 2;

    /// <summary>
    /// Adds the host's parts (<paramref name="add"/>, where settings needed at once are read and checked) and builds
    /// it (where Kestrel reads its limits); null, after the refusal is printed, when a setting is refused on the way.
    /// </summary>
    public static async Task<WebApplication?> BuildAsync(this WebApplicationBuilder builder, string host, Action<WebApplicationBuilder> add)
    {
        try
        {
            add(builder);
            var app = builder.Build();
            // Every setting registered with ValidateOnStart is checked here, before anything starts or logs.
            app.Services.GetService<IStartupValidator>()?.Validate();
            return app;
        }
        catch (Exception refused) when (Refusal(refused) is { } reason)
        {
            await Console.Error.WriteLineAsync($"The {host} cannot start: {reason}");
            return null;
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
        catch (Exception refused) when (Refusal(refused) is { } reason)
        {
            await Console.Error.WriteLineAsync($"The {host} cannot start: {reason}");
            return CannotStart;
        }
    }

    /// <summary>What a settings refusal says, however the host wrapped it on the way out; null for any other failure.</summary>
    private static string? Refusal(Exception failure) => failure switch
    {
        StartupCheckException check => check.Message,
        OptionsValidationException invalid => string.Join(" ", invalid.Failures),
        AggregateException all when all.InnerExceptions.Select(Refusal).ToList() is var reasons && reasons.All(reason => reason is not null)
            => string.Join(" ", reasons),
        { InnerException: { } inner } => Refusal(inner),
        _ => null,
    };
}
