using MatteKit.Media;
using MatteKit.Tests.TestSupport;
using Xunit.Abstractions;

namespace MatteKit.Tests.Cli;

/// <summary>
/// A folder output (frames, a dataset) where a symbolic link to an EMPTY folder is: compose-dataset and a join
/// silently put a real folder in the link's place (a link to a non-empty folder was refused as "not empty"), where
/// every file output's link is refused as a link (found by a hostile-input pass). Now refused as a link: before any
/// work, naming the option (exit 2) where the command takes the path as an option; by chunk and join, which take it
/// from a plan, as a link that came after planning (exit 1). The link and its folder are left as they were.
/// </summary>
public sealed class FrameFolderLinkTests
{
    private readonly ITestOutputHelper _log;

    public FrameFolderLinkTests(ITestOutputHelper log) => _log = log;

    /// <summary>A link dir/NAME to the empty folder dir/kept.</summary>
    private static string LinkToEmptyFolder(TempFolder dir, string name)
    {
        Directory.CreateDirectory(dir.File("kept"));
        Directory.CreateSymbolicLink(dir.File(name), dir.File("kept"));
        return dir.File(name);
    }

    private static void AssertLinkKept(TempFolder dir, string link)
    {
        Assert.Equal(dir.File("kept"), new DirectoryInfo(link).LinkTarget);
        Assert.Empty(Directory.GetFileSystemEntries(dir.File("kept")));
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path, ".*partial*"));
    }

    /// <remarks>With a trailing slash .NET saw no link at all: the work was done, then the commit failed (review).</remarks>
    [SkippableTheory]
    [InlineData("")]
    [InlineData("/")]
    public void ComposeDatasetRefusesAnOutLinkToAnEmptyFolder(string slash)
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "uses symbolic links");
        using var dir = new TempFolder();
        Directory.CreateDirectory(dir.File("cutouts"));
        Directory.CreateSymbolicLink(dir.File("cutouts/person"), SharedData.Path("media", "matting", "p3m_p_07141906"));
        var link = LinkToEmptyFolder(dir, "dataset");
        var r = CliRunner.Run("compose-dataset", "--foregrounds", dir.File("cutouts"), "--backgrounds", SharedData.Path("media", "images", "skimage_astronaut_portrait.png"),
            "--out", link + slash, "--size", "64x64", "--frames", "2", "--quiet");
        _log.WriteLine($"compose-dataset --out a link to an empty folder{slash}: exit {r.ExitCode}: {r.StdErr.Trim()}");
        Assert.Equal(2, r.ExitCode);
        var line = Assert.Single(r.StdErr.Trim().Split('\n'));
        Assert.Contains($"--out {link}{slash}: is a symbolic link (to {dir.File("kept")})", line);
        AssertLinkKept(dir, link);
    }

    /// <summary>
    /// Convert already refused it without a trailing slash (its outputs pass ReplaceableOutputs first): kept so that it
    /// stays so; with one, it did the work and then failed at the commit (review).
    /// </summary>
    [SkippableTheory]
    [InlineData("")]
    [InlineData("/")]
    public void ConvertRefusesAFrameFolderLinkToAnEmptyFolder(string slash)
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "uses symbolic links");
        using var dir = new TempFolder();
        var link = LinkToEmptyFolder(dir, "pha");
        var r = CliRunner.Run("convert", SharedData.Path("media", "images", "skimage_astronaut_portrait.png"), "--output-type", "png_sequence",
            "--output-alpha", link + slash, "--input-resize", "64x64", "--quiet");
        _log.WriteLine($"convert --output-type png_sequence --output-alpha a link to an empty folder{slash}: exit {r.ExitCode}: {r.StdErr.Trim()}");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"--output-alpha {link}{slash}: is a symbolic link (to {dir.File("kept")})", Assert.Single(r.StdErr.Trim().Split('\n')));
        AssertLinkKept(dir, link);
    }

    /// <summary>
    /// A real empty folder named with a trailing slash is filled in place: the working folder was made inside it (the
    /// name's last part read as empty) and the commit failed after all the work, "Directory not empty" (review).
    /// </summary>
    [SkippableFact]
    public void AFrameFolderNamedWithATrailingSlashIsWritten()
    {
        using var dir = new TempFolder();
        Directory.CreateDirectory(dir.File("pha"));
        var r = CliRunner.Run("convert", SharedData.Path("media", "images", "skimage_astronaut_portrait.png"), "--output-type", "png_sequence",
            "--output-alpha", dir.File("pha") + "/", "--input-resize", "64x64", "--quiet");
        _log.WriteLine($"convert --output-alpha an empty folder/: exit {r.ExitCode}: {r.StdErr.Trim()}");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Equal(new[] { "skimage_astronaut_portrait.png" }, Directory.GetFiles(dir.File("pha")).Select(Path.GetFileName));
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path, ".*partial*"));
    }

    [SkippableFact]
    public void ChunkAndJoinRefuseAFrameFolderThatBecameALinkAfterPlanning()
    {
        MediaTools.SkipIfMissing();
        Skip.IfNot(OperatingSystem.IsLinux(), "uses symbolic links");
        using var dir = new TempFolder();
        Directory.CreateDirectory(dir.File("frames"));
        MediaTools.Ffmpeg("-f", "lavfi", "-i", "testsrc=size=32x32:rate=25", "-frames:v", "4", dir.File("frames/%04d.png"));
        Run("plan", dir.File("frames"), "--output-alpha", dir.File("pha"), "--chunk-frames", "2", "--warmup", "0", "--out", dir.File("plan.json"), "--quiet");
        Run("chunk", dir.File("plan.json"), "--index", "0", "--quiet");
        Run("chunk", dir.File("plan.json"), "--index", "1", "--quiet");
        var link = LinkToEmptyFolder(dir, "pha");
        foreach (var args in new[] { new[] { "join", dir.File("plan.json") }, new[] { "chunk", dir.File("plan.json"), "--index", "0" } })
        {
            var r = CliRunner.Run(args);
            _log.WriteLine($"{args[0]} with the planned frame folder now a link to an empty folder: exit {r.ExitCode}: {r.StdErr.Trim()}");
            Assert.Equal(1, r.ExitCode);
            var line = Assert.Single(r.StdErr.Trim().Split('\n'));
            Assert.StartsWith($"mattekit: {link}: is a symbolic link (to {dir.File("kept")})", line);
            AssertLinkKept(dir, link);
        }
        // With the link gone the join writes the folder.
        File.Delete(link);
        Run("join", dir.File("plan.json"), "--quiet");
        Assert.Equal(4, Directory.GetFiles(dir.File("pha"), "*.png").Length);
    }

    /// <summary>The library's own refusal, for callers that skip the commands' checks (the commit would replace the link).</summary>
    [SkippableFact]
    public void AnOutputFolderIsNotMadeOverALinkToAnEmptyFolder()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "uses symbolic links");
        using var dir = new TempFolder();
        var link = LinkToEmptyFolder(dir, "frames");
        var e = Assert.Throws<MediaFormatException>(() => new OutputFolder(link));
        Assert.Contains("is a symbolic link", e.Message);
        AssertLinkKept(dir, link);
    }

    private static void Run(params string[] args)
    {
        var r = CliRunner.Run(args);
        Assert.True(r.ExitCode == 0, $"{string.Join(' ', args)}: exit {r.ExitCode}: {r.StdErr}");
    }
}
