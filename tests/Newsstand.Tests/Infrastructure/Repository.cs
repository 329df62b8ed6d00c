namespace Newsstand.Tests.Infrastructure;

/// <summary>The repository the tests run from: the folder holding <c>Orleans.sln</c> above the test assembly.</summary>
internal static class Repository
{
    /// <summary>The repository's root folder, with a trailing separator.</summary>
    public static string Root { get; } = Find();

    /// <summary>A path inside the repository, e.g. <c>PathOf("k8s", "overlays")</c>.</summary>
    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Orleans.sln")))
            {
                return directory.FullName.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
            }
        }
        throw new InvalidOperationException($"No Orleans.sln above {AppContext.BaseDirectory}.");
    }
}
