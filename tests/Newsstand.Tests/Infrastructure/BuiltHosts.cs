namespace Newsstand.Tests.Infrastructure;

/// <summary>Where the built silo and web client executables are, and free loopback ports for them.</summary>
internal static class BuiltHosts
{
    // Same configuration as this test assembly (bin/{Configuration}/net10.0).
    private static string Configuration => new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    public static string Silo => Executable("silo", "Newsstand.Silo");

    public static string Client => Executable("client", "Newsstand.Client");

    /// <summary>A loopback port nobody listens on right now (see <see cref="LoopbackPorts"/>).</summary>
    public static int FreePort() => LoopbackPorts.Free();

    private static string Executable(string folder, string project)
    {
        var path = Repository.PathOf(folder, project, "bin", Configuration, "net10.0", project);
        return File.Exists(path) ? path : throw new FileNotFoundException($"Build the solution first ({project} not found).", path);
    }
}
