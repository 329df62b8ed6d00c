using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Api;

/// <summary>
/// Redocly's linter (npm, pinned in <c>tests/openapi-lint</c>) finds no error in the served OpenAPI document, with
/// the repository's configuration (<c>tests/openapi-lint/redocly.yaml</c> says which rule is off and why).
/// </summary>
[Collection(SqliteClusterDefinition.Name)]
public sealed class OpenApiLintTests(ClusterFixture fixture)
{
    [Fact]
    public async Task RedoclyFindsNoError()
    {
        var lint = Repository.PathOf("tests", "openapi-lint");
        await Commands.RunInAsync(lint, "npm", "ci", "--no-audit", "--no-fund", "--prefer-offline");
        var document = Path.Combine(Path.GetTempPath(), $"nsms-openapi-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(document, await fixture.Http.GetStringAsync("/openapi/v1.json"));
        try
        {
            // A non-zero exit (any error) throws with the linter's report.
            var (output, _) = await Commands.RunInAsync(lint, Path.Combine(lint, "node_modules", ".bin", "redocly"),
                "lint", document, "--config", Path.Combine(lint, "redocly.yaml"), "--format", "summary");
            Assert.DoesNotContain("error ", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(document);
        }
    }
}
