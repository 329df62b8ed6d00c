using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests;

/// <summary>The README is a front door and the reference lives in <c>docs/</c>: every relative link of them lands.</summary>
public sealed class DocumentationLinkTests
{
    private static readonly string Root = Repository.Root;

    /// <summary>The pages whose links are checked, relative to the repository root.</summary>
    private static List<string> Pages() =>
    [
        "README.md",
        .. Directory.GetFiles(Repository.PathOf("docs"), "*.md").Select(page => Path.GetRelativePath(Root, page)).Order(StringComparer.Ordinal),
        "bench/README.md",
        "k8s/README.md",
    ];

    [Fact]
    public void EveryRelativeLinkOfTheDocumentationLands()
    {
        var pages = Pages();
        Assert.Contains("docs/operations.md", pages);

        var broken = pages.SelectMany(page => MarkdownLinks.Broken(Root, page)).ToList();

        Assert.True(broken.Count == 0, "Broken links:\n" + string.Join('\n', broken));
    }

    [Fact]
    public void TheReadmeIsShortAndLinksEveryDocsPage()
    {
        var readme = File.ReadAllText(Repository.PathOf("README.md"));
        var targets = MarkdownLinks.Targets(readme).Select(target => target.Split('#')[0]).ToHashSet(StringComparer.Ordinal);

        Assert.InRange(readme.Split('\n').Length, 1, 201);
        Assert.All(Pages().Where(page => page.StartsWith("docs/", StringComparison.Ordinal)), page => Assert.Contains(page, targets));
    }

    [Fact]
    public void AMissingPageOrHeadingIsReportedButCodeIsNotALink()
    {
        var folder = Directory.CreateTempSubdirectory("nsms-links-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "a.md"), """
                # Page A

                ## Running `cluster.sh` (three silos)

                [fine](#running-clustersh-three-silos), [to b](b.md#b-heading), [gone](missing.md),
                [no such heading](b.md#nowhere), [away](../../outside.md), [web](https://example.com/x.md)
                `[code](missing-too.md)`

                    [indented code](missing-three.md)
                """);
            File.WriteAllText(Path.Combine(folder, "b.md"), "# B heading\n");

            var broken = MarkdownLinks.Broken(folder + Path.DirectorySeparatorChar, "a.md").ToList();

            Assert.Equal(
                ["a.md: missing.md does not exist", "a.md: b.md#nowhere names no heading of b.md", "a.md: ../../outside.md leaves the repository"],
                broken);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("## The workloads (the chapter's coroutines, each a grain)", "the-workloads-the-chapters-coroutines-each-a-grain")]
    [InlineData("## HTTPS and HTTP/2", "https-and-http2")]
    [InlineData("## Tables: 1,024 ids — one owner", "tables-1024-ids--one-owner")]
    public void HeadingIdsFollowGitHub(string heading, string id) => Assert.Contains(id, MarkdownLinks.Anchors(heading));
}
