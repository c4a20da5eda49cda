using MatteKit.Media;
using MatteKit.Tests.TestSupport;
using Xunit.Abstractions;

namespace MatteKit.Tests.Cli;

/// <summary>
/// Lines a hostile-input pass over convert and plan found unclear (a number no one gave, an option or a path not
/// named, a wrong exit code): what was done, and what MatteKit says now, printed to the test log. Each test failed
/// before the fix.
/// </summary>
public sealed class HostileInputRound3Tests
{
    private static readonly string Samples = Path.Combine(SharedData.RepoRoot, "samples");
    private static readonly string SampleClip = Path.Combine(Samples, "astronaut_zoom.mp4");
    private readonly ITestOutputHelper _log;

    public HostileInputRound3Tests(ITestOutputHelper log) => _log = log;

    /// <summary>
    /// <c>--subject-time 1e308</c> said "is frame Infinity ... past the frames MatteKit counts", exit 1; it is bounded
    /// as <c>--start</c> is (10^9 s), a usage error. A time within the bound that is still a frame past what MatteKit
    /// counts at the input's rate (10^9 s at 25 frames a second) said the same with exit 1: now exit 2, naming the option.
    /// </summary>
    [Fact]
    public void ASubjectTimeBeyondItsBoundIsAUsageErrorNamingTheOption()
    {
        using var dir = new TempFolder();
        foreach (var (command, value, expected) in new[]
        {
            ("convert", "1e308", "mattekit: --subject-time must be a number of seconds from 0 to 1000000000, got 1E+308"),
            ("plan", "1e308", "mattekit: --subject-time must be a number of seconds from 0 to 1000000000, got 1E+308"),
            ("convert", "1e9", "mattekit: --subject-time 1000000000 is frame 25000000000 at 25 frames a second, past the last frame MatteKit counts (2147483647)"),
        })
        {
            string[] args = [command, SampleClip, "--subject", "100,100", "--subject-time", value, "--output-alpha", dir.File("a.mov"),
                .. command == "plan" ? new[] { "--chunk-frames", "10", "--out", dir.File("p.json") } : []];
            var r = CliRunner.Run(args);
            _log.WriteLine($"{command} --subject-time {value}: exit {r.ExitCode}: {r.StdErr.Trim()}");
            Assert.Equal(2, r.ExitCode);
            Assert.Equal(expected, Assert.Single(r.StdErr.Trim().Split('\n')));
        }
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    /// <summary>
    /// <c>plan --chunk-frames 2147483647</c> said "1 chunk(s) of 2147483647 frames" of a 30-frame clip: a chunk is said
    /// by the frames it holds, never more than the input's, and a shorter last chunk by its own count.
    /// </summary>
    [Fact]
    public void APlanSaysItsChunksByTheFramesTheyHold()
    {
        using var dir = new TempFolder();
        foreach (var (chunkFrames, expected) in new[]
        {
            ("30", "30 frames at 25/1 fps in 1 chunk (the whole input), warm-up 15 (forward)"),
            ("10", "30 frames at 25/1 fps in 3 chunks of 10 frames, warm-up 15 (forward)"),
            ("12", "30 frames at 25/1 fps in 3 chunks of 12 frames (the last of 6), warm-up 15 (forward)"),
            ("2147483647", "30 frames at 25/1 fps in 1 chunk (the whole input), warm-up 15 (forward)"),
        })
        {
            var r = CliRunner.Run("plan", SampleClip, "--output-alpha", dir.File("a.mov"), "--chunk-frames", chunkFrames, "--out", dir.File("p.json"));
            _log.WriteLine($"plan --chunk-frames {chunkFrames}: exit {r.ExitCode}: {r.StdOut.Trim()} {r.StdErr.Trim()}");
            Assert.Equal(0, r.ExitCode);
            Assert.Equal($"{dir.File("p.json")}: {expected}", r.StdOut.Split('\n')[0]);
            // Stored as the frames a chunk holds: 2147483647 was stored as given (review).
            int stored = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(dir.File("p.json")))!["chunk_frames"]!.GetValue<int>();
            _log.WriteLine($"  chunk_frames stored: {stored}");
            Assert.Equal(Math.Min(30, int.Parse(chunkFrames)), stored);
        }

        // A plan made before, with the value as given, still loads and is read the same: its one chunk is what join waits for.
        var old = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(dir.File("p.json")))!;
        old["chunk_frames"] = int.MaxValue;
        File.WriteAllText(dir.File("old.json"), old.ToJsonString());
        var join = CliRunner.Run("join", dir.File("old.json"));
        _log.WriteLine($"join of a plan storing chunk_frames 2147483647: exit {join.ExitCode}: {join.StdErr.Trim()}");
        Assert.Equal(1, join.ExitCode);
        Assert.Equal($"mattekit: {dir.File("old.json")}: 1 chunk(s) not done (0): convert those chunks first (--index K of this plan)", join.StdErr.Trim());
    }

    /// <summary>
    /// <c>convert --workers</c> reuses the plan it left (and its finished chunks) when the same command comes again:
    /// one left before the stored chunk length was the frames a chunk holds (it stored 2147483647 as given) is still
    /// the same plan, not another whose chunks are thrown away.
    /// </summary>
    [Fact]
    public void APlanStoringTheChunkLengthAsGivenIsStillTheSamePlan()
    {
        using var dir = new TempFolder();
        var options = new MatteKit.Conversion.ConvertOptions { Input = SampleClip, OutputAlpha = dir.File("a.mov") };
        var plan = MatteKit.Chunking.ConversionPlan.Make(options, int.MaxValue, 0, MatteKit.Conversion.WarmupOrder.Forward, dir.File("p.json"));
        Assert.Equal(30, plan.ChunkFrames);
        var older = plan with { ChunkFrames = int.MaxValue };
        Assert.True(plan.IsThisWith(older, null), "a plan storing --chunk-frames 2147483647 of 30 frames is taken for another");
        Assert.False(plan.IsThisWith(plan.WithChunkFrames(10), null), "a plan of other chunks is another");
    }

    /// <summary>
    /// A 0-byte file (a download that failed, a copy cut short) as INPUT or as the background was ffmpeg's "Invalid
    /// data found when processing input" (a JPEG's "decoding failed (...)", a PNG's "not a PNG file (the file is
    /// empty)"); now it is said as it is, one line naming the file, exit 1, nothing written.
    /// </summary>
    [Fact]
    public void AnEmptyFileIsSaidToBeEmpty()
    {
        using var dir = new TempFolder();
        foreach (var name in new[] { "empty.mp4", "empty.jpg", "empty.png" }) File.WriteAllBytes(dir.File(name), []);
        string empty = dir.File("empty.mp4");
        foreach (var (args, file) in new (string[], string)[]
        {
            (["convert", empty, "--output-alpha", dir.File("a.mov")], empty),
            (["convert", dir.File("empty.jpg"), "--output-alpha", dir.File("a.png")], dir.File("empty.jpg")),
            (["convert", dir.File("empty.png"), "--output-alpha", dir.File("a.png")], dir.File("empty.png")),
            (["plan", empty, "--output-alpha", dir.File("a.mov"), "--chunk-frames", "10", "--out", dir.File("p.json")], empty),
            (["convert", SampleClip, "--background", empty, "--output-composition", dir.File("c.mp4")], empty),
        })
        {
            var r = CliRunner.Run(args);
            _log.WriteLine($"{string.Join(' ', args)}: exit {r.ExitCode}: {r.StdErr.Trim()}");
            Assert.Equal(1, r.ExitCode);
            Assert.Equal($"mattekit: {file}: is empty (0 bytes)", Assert.Single(r.StdErr.Trim().Split('\n')));
        }
        Assert.Equal(["empty.jpg", "empty.mp4", "empty.png"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName).Order());
    }

    /// <summary>
    /// A folder output whose folder exists and holds something was refused as "mattekit: out: output folder exists and
    /// is not empty" (exit 1, after the input was probed), naming neither the option nor where the folder is: now
    /// before any work, naming the option and the full path, as a link or a FIFO there is (exit 2), in convert,
    /// plan and compose-dataset.
    /// </summary>
    [Fact]
    public void ANonEmptyOutputFolderIsRefusedNamingTheOptionAndTheFullPath()
    {
        using var dir = new TempFolder();
        string folder = Directory.CreateDirectory(dir.File("out")).FullName;
        File.WriteAllText(Path.Combine(folder, "keep.txt"), "mine");
        string line = $"{folder}: output folder exists and is not empty; give a new or an empty folder";
        foreach (var (args, option) in new (string[], string)[]
        {
            (["convert", SampleClip, "--output-alpha", "out"], "--output-alpha"),
            (["convert", SampleClip, "--output-alpha", "a.mov", "--output-foreground", "out/"], "--output-foreground"),
            (["plan", SampleClip, "--output-composition", "out", "--chunk-frames", "10", "--out", "p.json"], "--output-composition"),
            (["compose-dataset", "--foregrounds", Samples, "--backgrounds", Samples, "--out", "out"], "--out"),
        })
        {
            var r = CliRunner.RunIn(dir.Path, args);
            _log.WriteLine($"{string.Join(' ', args)}: exit {r.ExitCode}: {r.StdErr.Trim()}");
            Assert.Equal(2, r.ExitCode);
            Assert.Equal($"mattekit: {option} {line}", Assert.Single(r.StdErr.Trim().Split('\n')));
        }
        Assert.Equal(["keep.txt"], Directory.GetFileSystemEntries(folder).Select(Path.GetFileName));
        Assert.Equal(["out"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName));
    }

    /// <summary>
    /// join's outputs come from the plan: a folder output that came to hold something after planning was refused by the
    /// library only when the join reached it, after the video outputs were joined, as exit 1. Now first, as plan and
    /// convert refuse it (exit 2), naming the output's role in the plan and its full path; nothing is written and the
    /// chunks stay done. The library's own line (for library users) names the full path too, not the path as given.
    /// </summary>
    [Fact]
    public void JoinRefusesANonEmptyOutputFolderFirstNamingThePlansOutputAndTheFullPath()
    {
        using var dir = new TempFolder();
        foreach (var args in new[]
        {
            new[] { "plan", SampleClip, "--output-composition", "com.mp4", "--output-alpha", "pha", "--input-resize", "64x64", "--chunk-frames", "30", "--out", "p.json", "--quiet" },
            new[] { "chunk", "p.json", "--index", "0", "--quiet" },
        })
            Assert.True(CliRunner.RunIn(dir.Path, args).ExitCode == 0, string.Join(' ', args));
        string folder = Directory.CreateDirectory(dir.File("pha")).FullName;
        File.WriteAllText(Path.Combine(folder, "keep.txt"), "mine");

        var r = CliRunner.RunIn(dir.Path, "join", "p.json");
        _log.WriteLine($"join into a non-empty pha: exit {r.ExitCode}: {r.StdErr.Trim()}");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal($"mattekit: the plan's alpha output {folder}: output folder exists and is not empty; give a new or an empty folder", Assert.Single(r.StdErr.Trim().Split('\n')));
        Assert.False(File.Exists(dir.File("com.mp4")), "a video output written");
        Assert.Equal(["keep.txt"], Directory.GetFileSystemEntries(folder).Select(Path.GetFileName));

        // The library's own line, as a library user meets it: the full path, not "pha".
        var e = Assert.Throws<MediaFormatException>(() => new OutputFolder(Path.GetRelativePath(Environment.CurrentDirectory, folder)));
        Assert.Equal($"{folder}: output folder exists and is not empty; give a new or an empty folder", e.Message);

        File.Delete(Path.Combine(folder, "keep.txt"));
        r = CliRunner.RunIn(dir.Path, "join", "p.json", "--quiet");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Equal(30, Directory.GetFiles(folder, "*.png").Length);
        // Joined: its folder holds the frames, and join again says so (not that the folder is not empty).
        r = CliRunner.RunIn(dir.Path, "join", "p.json");
        _log.WriteLine($"join again: exit {r.ExitCode}: {r.StdOut.Trim()}");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("already joined", r.StdOut);
    }

    /// <summary>
    /// A URL where a command writes a file or a folder (<c>--output-alpha file:///tmp/x.mov</c>) was read as a relative
    /// path: a folder named "file:" in the working folder. Output options refuse one, naming it (exit 2); inputs keep
    /// taking URLs (ffmpeg reads rtsp://, udp://, http:// and file://), and so do live's outputs, which may be streams.
    /// </summary>
    [Fact]
    public void AUrlAsAnOutputPathIsRefusedNamingTheOption()
    {
        using var dir = new TempFolder();
        string url = "file://" + dir.File("x.mov");
        foreach (var (args, option) in new (string[], string)[]
        {
            (["convert", SampleClip, "--output-alpha", url], "--output-alpha"),
            (["convert", SampleClip, "--output-composition", "http://example.com/c.mp4"], "--output-composition"),
            (["plan", SampleClip, "--output-alpha", dir.File("a.mov"), "--chunk-frames", "10", "--out", "file:///tmp/p.json"], "--out"),
            (["live", "udp://127.0.0.1:1", "--output-alpha", dir.File("a.mov"), "--stats", "file:///tmp/s.json"], "--stats"),
        })
        {
            var r = CliRunner.RunIn(dir.Path, args);
            _log.WriteLine($"{string.Join(' ', args)}: exit {r.ExitCode}: {r.StdErr.Trim()}");
            Assert.Equal(2, r.ExitCode);
            string value = args[Array.IndexOf(args, option) + 1];
            Assert.Equal($"mattekit: {option} \"{value}\" is a URL; give a path (this option writes a file or a folder here)", Assert.Single(r.StdErr.Trim().Split('\n')));
        }
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));

        // A URL as INPUT is still read (ffmpeg's file protocol here).
        var input = CliRunner.RunIn(dir.Path, "convert", "file://" + SampleClip, "--output-alpha", "a.mov", "--duration", "0.1", "--quiet");
        _log.WriteLine($"convert file://{SampleClip} --output-alpha a.mov --duration 0.1: exit {input.ExitCode}: {input.StdErr.Trim()}");
        Assert.Equal(0, input.ExitCode);
        Assert.True(File.Exists(dir.File("a.mov")));
    }
}
