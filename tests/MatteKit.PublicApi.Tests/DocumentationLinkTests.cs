using System.Text.RegularExpressions;
using MatteKit.Tests.TestSupport;
using Xunit.Abstractions;

namespace MatteKit.Tests.PublicApi;

/// <summary>
/// The README and the manual in docs/ link to each other by relative paths; every such link must name a file that
/// exists and, where it has a #fragment, a heading of that file (the anchor GitHub derives from it). The README
/// stays a README: the manual is in docs/.
/// </summary>
public sealed partial class DocumentationLinkTests
{
    private readonly ITestOutputHelper _log;

    public DocumentationLinkTests(ITestOutputHelper log) => _log = log;

    [Fact]
    public void EveryRelativeLinkResolves()
    {
        var pages = new[] { Path.Combine(SharedData.RepoRoot, "README.md") }
            .Concat(Directory.EnumerateFiles(Path.Combine(SharedData.RepoRoot, "docs"), "*.md", SearchOption.AllDirectories))
            .ToList();
        var broken = new List<string>();
        int links = 0;
        foreach (var page in pages)
        {
            // Links inside fenced code blocks are examples, not links.
            string text = FencedCode().Replace(File.ReadAllText(page), "");
            foreach (Match m in MarkdownLink().Matches(text))
            {
                string target = m.Groups[1].Value;
                if (UriScheme().IsMatch(target)) continue;
                links++;
                int hash = target.IndexOf('#');
                string path = hash < 0 ? target : target[..hash];
                string fragment = hash < 0 ? "" : target[(hash + 1)..];
                string file = path.Length == 0 ? page : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(page)!, path));
                string from = Path.GetRelativePath(SharedData.RepoRoot, page);
                if (!File.Exists(file) && !Directory.Exists(file))
                    broken.Add($"{from}: {target} (no such file)");
                else if (fragment.Length > 0 && (!File.Exists(file) || !Anchors(file).Contains(fragment)))
                    broken.Add($"{from}: {target} (no such heading)");
            }
        }
        _log.WriteLine($"{pages.Count} pages, {links} relative links, {broken.Count} broken");
        foreach (var b in broken) _log.WriteLine(b);
        Assert.Empty(broken);
    }

    [Fact]
    public void ReadmeStaysShort()
    {
        int lines = File.ReadAllLines(Path.Combine(SharedData.RepoRoot, "README.md")).Length;
        _log.WriteLine($"README.md: {lines} lines");
        Assert.InRange(lines, 1, 200);
    }

    /// <summary>GitHub's heading anchors: lower case, punctuation other than '-' and '_' dropped, spaces to '-',
    /// and "-1", "-2", ... after a repeated heading.</summary>
    private static HashSet<string> Anchors(string file)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (Match m in Heading().Matches(FencedCode().Replace(File.ReadAllText(file), "")))
        {
            string slug = NotSlug().Replace(m.Groups[1].Value.Trim().ToLowerInvariant(), "").Replace(' ', '-');
            int n = seen.GetValueOrDefault(slug);
            seen[slug] = n + 1;
            anchors.Add(n == 0 ? slug : $"{slug}-{n}");
        }
        return anchors;
    }

    [GeneratedRegex(@"^```.*?^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex FencedCode();

    [GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial Regex MarkdownLink();

    [GeneratedRegex(@"^[a-z][a-z0-9+.-]*:", RegexOptions.IgnoreCase)]
    private static partial Regex UriScheme();

    [GeneratedRegex(@"^#{1,6}[ \t]+(.+)$", RegexOptions.Multiline)]
    private static partial Regex Heading();

    [GeneratedRegex(@"[^\w\- ]")]
    private static partial Regex NotSlug();
}
