using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Newsstand.Tests.Infrastructure;

/// <summary>
/// The links of a Markdown page and the heading ids a page offers, as GitHub renders them: enough to tell
/// whether a relative link (and its <c>#anchor</c>) still lands somewhere after a page moves.
/// </summary>
internal static partial class MarkdownLinks
{
    /// <summary>Every link target of <paramref name="markdown"/> outside code (inline code and indented or fenced blocks).</summary>
    public static IEnumerable<string> Targets(string markdown) =>
        Prose(markdown).SelectMany(line => Link().Matches(CodeSpan().Replace(line, "")).Select(match => match.Groups["target"].Value));

    /// <summary>The ids GitHub gives the headings of <paramref name="markdown"/>; a repeated heading gets <c>-1</c>, <c>-2</c>...</summary>
    public static HashSet<string> Anchors(string markdown)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in Prose(markdown).Where(line => line.StartsWith('#')))
        {
            var slug = Slug(line.TrimStart('#'));
            var unique = slug;
            for (var n = 1; !anchors.Add(unique); n++)
            {
                unique = $"{slug}-{n}";
            }
        }
        return anchors;
    }

    /// <summary>
    /// What is wrong with each relative link of <paramref name="page"/> (a file under <paramref name="root"/>):
    /// a target that does not exist, leaves the repository, or names an anchor its page lacks.
    /// </summary>
    public static IEnumerable<string> Broken(string root, string page)
    {
        var folder = Path.GetDirectoryName(Path.Combine(root, page))!;
        var text = File.ReadAllText(Path.Combine(root, page));
        foreach (var target in Targets(text).Where(target => !IsExternal(target)))
        {
            var hash = target.IndexOf('#', StringComparison.Ordinal);
            var (file, anchor) = hash < 0 ? (target, null) : (target[..hash], target[(hash + 1)..]);
            var path = file.Length == 0 ? Path.Combine(root, page) : Path.GetFullPath(Path.Combine(folder, Uri.UnescapeDataString(file)));
            if (!path.StartsWith(root, StringComparison.Ordinal))
            {
                yield return $"{page}: {target} leaves the repository";
            }
            else if (!File.Exists(path) && !Directory.Exists(path))
            {
                yield return $"{page}: {target} does not exist";
            }
            else if (anchor is not null && !(path.EndsWith(".md", StringComparison.Ordinal) && Anchors(File.ReadAllText(path)).Contains(anchor)))
            {
                yield return $"{page}: {target} names no heading of {Path.GetRelativePath(root, path)}";
            }
        }
    }

    private static bool IsExternal(string target) => SchemeOrMail().IsMatch(target);

    // GitHub's heading ids: lower case, punctuation dropped (letters, digits, marks, '-', '_' and spaces
    // stay), each space a hyphen. Inline code keeps its text, without the backticks.
    private static string Slug(string heading)
    {
        var text = new StringBuilder();
        foreach (var c in heading.Trim().ToLower(CultureInfo.InvariantCulture))
        {
            if (char.IsLetterOrDigit(c) || c is '-' or '_' || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark)
            {
                text.Append(c);
            }
            else if (c == ' ')
            {
                text.Append('-');
            }
        }
        return text.ToString();
    }

    /// <summary>The lines of <paramref name="markdown"/> that are not code blocks (fenced, or indented four spaces after a blank line).</summary>
    private static IEnumerable<string> Prose(string markdown)
    {
        var (fenced, indented, previousBlank) = (false, false, true);
        foreach (var line in markdown.Split('\n').Select(line => line.TrimEnd('\r')))
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                fenced = !fenced;
                continue;
            }
            indented = line.StartsWith("    ", StringComparison.Ordinal) && (indented || previousBlank);
            previousBlank = line.Trim().Length == 0;
            if (!fenced && !indented)
            {
                yield return line;
            }
        }
    }

    // [text](target) and ![alt](target), with an optional "title" after the target.
    [GeneratedRegex(@"!?\[[^\]]*\]\((?<target>[^)\s]+)(\s+""[^""]*"")?\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"`[^`]*`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"^([a-z][a-z0-9+.-]*:|//)", RegexOptions.IgnoreCase)]
    private static partial Regex SchemeOrMail();
}
