namespace Newsstand.Tests;

public sealed class ArchitectureTests
{
    [Fact]
    public void TheWebClientAndTheApiKnowOnlyTheContract()
    {
        var api = typeof(Newsstand.Api.Hosting.ApiHostingExtensions).Assembly;
        Assert.Contains("Newsstand.Abstractions", api.GetReferencedAssemblies().Select(a => a.Name!));

        foreach (var assembly in new[] { typeof(Program).Assembly, api })
        {
            var references = assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
            Assert.DoesNotContain(references, name => name.StartsWith("Newsstand.Grains", StringComparison.Ordinal)
                || name.Contains("EntityFrameworkCore", StringComparison.Ordinal)
                || name.Contains("Npgsql", StringComparison.Ordinal)
                || name.Contains("Sqlite", StringComparison.Ordinal));
        }
    }
}
