namespace Newsstand.Tests;

public sealed class ArchitectureTests
{
    [Fact]
    public void TheWebClientKnowsOnlyTheContract()
    {
        var references = typeof(Program).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.Contains("Newsstand.Abstractions", references);
        Assert.DoesNotContain(references, name => name.StartsWith("Newsstand.Grains", StringComparison.Ordinal)
            || name.Contains("EntityFrameworkCore", StringComparison.Ordinal)
            || name.Contains("Npgsql", StringComparison.Ordinal)
            || name.Contains("Sqlite", StringComparison.Ordinal));
    }
}
