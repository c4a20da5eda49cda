using System.Text.RegularExpressions;
using MatteKit.Tests.TestSupport;
using Xunit.Abstractions;

namespace MatteKit.Tests.PublicApi;

/// <summary>
/// The library speaks of its own parameters (<c>DownsampleRatio</c>), never of the flags that set them
/// (<c>--downsample-ratio</c>): a library caller has no flags, and the command line maps names to flags in one table
/// (MatteKit.CommandLine's ParameterFlags). Comments may mention the command line; code and messages may not.
/// </summary>
public sealed partial class LibraryNamesNoFlagTests
{
    private static readonly string Library = Path.Combine(SharedData.RepoRoot, "src", "MatteKit");
    private readonly ITestOutputHelper _log;

    public LibraryNamesNoFlagTests(ITestOutputHelper log) => _log = log;

    [Fact]
    public void NoStringInTheLibraryNamesAFlag()
    {
        var offenders = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Library, "*.cs", SearchOption.AllDirectories)
                     .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
                                 && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}")))
        {
            var lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                var code = Comment().Replace(lines[i], "");
                foreach (Match literal in StringLiteral().Matches(code))
                    if (Flag().IsMatch(literal.Value) && !FfmpegArgument().IsMatch(literal.Value))
                        offenders.Add($"{Path.GetRelativePath(Library, file)}:{i + 1}: {literal.Value}");
            }
        }
        foreach (var o in offenders) _log.WriteLine(o);
        Assert.True(offenders.Count == 0, $"{offenders.Count} string(s) in the library name a command-line flag (see the log)");
    }

    [GeneratedRegex(@"^\s*///.*|(?<!:)//.*$")]
    private static partial Regex Comment();

    [GeneratedRegex(@"@?\$?""(?:[^""\\\n]|\\.)*""")]
    private static partial Regex StringLiteral();

    // "--flag" as MatteKit's flags are spelled: two dashes and a lower-case word at a word start.
    [GeneratedRegex(@"(?<![\w-])--[a-z][a-z0-9]*(?:-[a-z0-9]+)*")]
    private static partial Regex Flag();

    // Arguments the library passes to child programs (ffmpeg's and x264's own options) are not MatteKit's flags.
    [GeneratedRegex(@"^@?\$?""-")]
    private static partial Regex FfmpegArgument();
}
