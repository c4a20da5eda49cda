using System.Text.RegularExpressions;
using MatteKit.Tests.TestSupport;
using Xunit.Abstractions;

namespace MatteKit.Tests.PublicApi;

/// <summary>
/// The library's folders depend on each other one way: every reference of a file to another folder (a <c>using</c>,
/// a qualified name, or a name qualified from the enclosing namespace such as <c>Media.OutputFile</c>) is an edge,
/// and the graph has no cycle. Prints the folders in dependency order (leaves first), as docs/architecture.md's Layout draws them.
/// </summary>
public sealed partial class FolderDependencyTests
{
    private static readonly string Library = Path.Combine(SharedData.RepoRoot, "src", "MatteKit");
    private readonly ITestOutputHelper _log;

    public FolderDependencyTests(ITestOutputHelper log) => _log = log;

    [Fact]
    public void FoldersFormNoCycle()
    {
        var edges = Edges();
        foreach (var (folder, uses) in edges.OrderBy(e => e.Key, StringComparer.Ordinal))
            _log.WriteLine($"{folder} -> {string.Join(", ", uses.Keys.Order(StringComparer.Ordinal))}");

        // Kahn's algorithm: peel off folders that use nothing left; whatever remains is on a cycle.
        var remaining = edges.ToDictionary(e => e.Key, e => new HashSet<string>(e.Value.Keys));
        var order = new List<string>();
        while (remaining.Count > 0)
        {
            var free = remaining.Where(r => r.Value.All(u => !remaining.ContainsKey(u))).Select(r => r.Key).Order(StringComparer.Ordinal).ToList();
            if (free.Count == 0) break;
            order.AddRange(free);
            foreach (var f in free) remaining.Remove(f);
        }
        _log.WriteLine($"dependency order: {string.Join(" < ", order)}");
        Assert.True(remaining.Count == 0, "folders on a cycle: " + string.Join("; ", remaining.Select(r =>
            $"{r.Key} uses {string.Join(", ", r.Value.Where(remaining.ContainsKey).Select(u => $"{u} ({edges[r.Key][u]})"))}")));
    }

    [Fact]
    public void TheInferenceLibraryNeverReachesTheCommandLine()
    {
        // The CLI's own namespace must not appear in the library (the other way round is the point of the library).
        var offenders = Directory.EnumerateFiles(Library, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .Where(f => Code(f).Contains("MatteKit.Cli", StringComparison.Ordinal)).ToList();
        Assert.Empty(offenders);
    }

    /// <summary>Folder -> folders it uses, each with one file that shows it.</summary>
    private static Dictionary<string, Dictionary<string, string>> Edges()
    {
        var files = Directory.EnumerateFiles(Library, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Select(f => (Path: f, Folder: FolderOf(f))).Where(f => f.Folder is not null).ToList();
        var folders = files.Select(f => f.Folder!).ToHashSet(StringComparer.Ordinal);
        var edges = folders.ToDictionary(f => f, _ => new Dictionary<string, string>(StringComparer.Ordinal), StringComparer.Ordinal);
        // The public entry points live in the root namespace (MatteKit.VideoMatter) but in their folders: a file names
        // them without a using, so each use of one is an edge to the folder that declares it.
        var rootTypes = files.Where(f => RootNamespace().IsMatch(Code(f.Path)))
            .SelectMany(f => TypeDeclaration().Matches(Code(f.Path)).Select(m => (Name: m.Groups[1].Value, Folder: f.Folder!))).ToList();
        foreach (var (path, folder) in files)
        {
            var code = Code(path);
            foreach (var (name, owner) in rootTypes)
                if (owner != folder && Regex.IsMatch(code, $@"\b{name}\b"))
                    edges[folder!].TryAdd(owner, Path.GetRelativePath(Library, path));
            foreach (Match m in Reference().Matches(code))
            {
                var used = m.Groups[1].Value;
                if (used != folder && folders.Contains(used))
                    edges[folder!].TryAdd(used, Path.GetRelativePath(Library, path));
            }
        }
        return edges;
    }

    /// <summary>The top folder under src/MatteKit (Media/Ffmpeg belongs to Media); null for files at the root.</summary>
    private static string? FolderOf(string path)
    {
        var relative = Path.GetRelativePath(Library, path).Split(Path.DirectorySeparatorChar);
        return relative.Length > 1 ? relative[0] : null;
    }

    /// <summary>The file without comments and string literals, which may name anything.</summary>
    private static string Code(string path)
    {
        var text = File.ReadAllText(path);
        text = BlockComment().Replace(text, " ");
        text = LineComment().Replace(text, "");
        return StringLiteral().Replace(text, "\"\"");
    }

    // "MatteKit.X" anywhere (using, qualified names), or "X.Name" for a folder X reached from the enclosing namespace.
    [GeneratedRegex(@"(?:\bMatteKit\.|(?<![\w.])(?=(?:Bgm|Compositing|Conversion|Datasets|Evaluation|Inference|Layers|Live|Media|Metrics|NetworkWidths|Onnx|Rvm|Selfie|Subjects|Weights)\.[A-Z]))(\w+)")]
    private static partial Regex Reference();

    [GeneratedRegex(@"^namespace MatteKit;", RegexOptions.Multiline)]
    private static partial Regex RootNamespace();

    [GeneratedRegex(@"\b(?:class|struct|enum|interface|record)\s+(?!class\b|struct\b)(\w+)")]
    private static partial Regex TypeDeclaration();

    [GeneratedRegex(@"/\*.*?\*/", RegexOptions.Singleline)]
    private static partial Regex BlockComment();

    [GeneratedRegex(@"//[^\n]*")]
    private static partial Regex LineComment();

    [GeneratedRegex(@"@?\$?""(?:[^""\\\n]|\\.)*""")]
    private static partial Regex StringLiteral();
}
