using System.Globalization;

namespace Newsstand.Tests.Infrastructure;

/// <summary>
/// The built silo executable as a process of its own on free loopback ports (silo, gateway, web, admin), so a
/// test can kill it with SIGKILL and start another on the same data or into the same cluster.
/// </summary>
internal sealed class SiloProcess(string name) : IAsyncDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    public string Name { get; } = name;

    public int SiloPort { get; } = BuiltHosts.FreePort();

    public int GatewayPort { get; } = BuiltHosts.FreePort();

    public int WebPort { get; } = BuiltHosts.FreePort();

    public Uri WebUrl => new($"http://127.0.0.1:{WebPort}");

    /// <summary>The dashboard's admin listener, for a silo started with <c>Dashboard__AdminUrl</c> set to it.</summary>
    public Uri AdminUrl { get; } = new($"http://127.0.0.1:{BuiltHosts.FreePort()}");

    public HostProcess Host { get; private set; } = null!;

    public string Output => Host.Output;

    /// <summary>Starts a silo with <paramref name="settings"/> (environment variables) and waits until it serves.</summary>
    public static async Task<SiloProcess> StartAsync(string name, IReadOnlyDictionary<string, string> settings)
    {
        var silo = new SiloProcess(name);
        silo.Start(settings);
        try
        {
            await silo.Host.WaitStartedAsync(StartTimeout);
        }
        catch
        {
            await silo.DisposeAsync();
            throw;
        }
        return silo;
    }

    /// <summary>Starts the process with its ports and <paramref name="settings"/>; <see cref="HostProcess.WaitStartedAsync"/> waits for it.</summary>
    public void Start(IReadOnlyDictionary<string, string> settings)
    {
        var environment = new Dictionary<string, string>
        {
            ["Orleans__SiloName"] = Name,
            ["Orleans__SiloPort"] = SiloPort.ToString(CultureInfo.InvariantCulture),
            ["Orleans__GatewayPort"] = GatewayPort.ToString(CultureInfo.InvariantCulture),
            ["Urls"] = WebUrl.ToString(),
            ["Hashing__Iterations"] = "1000",
        };
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }
        Host = HostProcess.Start(Name, BuiltHosts.Silo, environment);
    }

    /// <summary>SIGKILL: no shutdown code runs, as in a crash.</summary>
    public async Task KillAsync()
    {
        Host.Kill();
        await Host.Exited;
    }

    public async ValueTask DisposeAsync()
    {
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }
    }
}
