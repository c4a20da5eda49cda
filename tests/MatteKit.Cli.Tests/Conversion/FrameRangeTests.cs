using MatteKit.Conversion;
using MatteKit.Inference;
using MatteKit.Tests.TestSupport;
using Xunit.Abstractions;

namespace MatteKit.Tests.Conversion;

/// <summary>
/// <c>--frames A:B --warmup W</c>: exactly frames [A, B) by index whatever the keyframes, the warm-up frames in the
/// order asked and never written, and a chunk primed with every frame before it equal to one pass.
/// </summary>
[Trait("Needs", "shared")]
public sealed class FrameRangeTests
{
    private static readonly string Sample = Path.Combine(SharedData.RepoRoot, "samples", "astronaut_zoom.mp4"); // 512x512, 25 fps, 30 frames
    private readonly ITestOutputHelper _log;

    public FrameRangeTests(ITestOutputHelper log) => _log = log;

    public static TheoryData<string, int, int> Ranges => new()
    {
        { "sample", 0, 7 }, { "sample", 13, 21 }, { "sample", 29, 30 }, { "sample", 20, 100 },
        { "juggle", 100, 112 }, { "juggle", 233, 247 },
    };

    [SkippableTheory]
    [MemberData(nameof(Ranges))]
    public void FramesAreTheOnesAtThoseIndexesInOnePass(string clip, int start, int end)
    {
        MediaTools.SkipIfMissing();
        string path = clip == "sample" ? Sample : SharedData.Path("media", "clips", "juggle_fullbody_720p.mp4");
        Skip.IfNot(File.Exists(path), $"{path} is not here (shared materials)");
        var all = Read(new ConvertOptions { Input = path, OutputAlpha = "x", InputResize = (160, 90) }).Select(f => f.Rgb).ToList();
        var chunk = Read(new ConvertOptions { Input = path, OutputAlpha = "x", Frames = new FrameRange(start, end), InputResize = (160, 90) });
        int expected = Math.Min(end, all.Count) - start;
        Assert.Equal(expected, chunk.Count);
        for (int i = 0; i < chunk.Count; i++)
        {
            Assert.False(chunk[i].Warmup);
            Assert.Equal(start + i, chunk[i].Index);
            Assert.True(all[start + i].AsSpan().SequenceEqual(chunk[i].Rgb), $"{clip}: frame {start + i} differs from one pass");
        }
    }

    [SkippableFact]
    public void WarmupFramesComeFirstInTheOrderAskedAndAreMarked()
    {
        MediaTools.SkipIfMissing();
        var all = Read(new ConvertOptions { Input = Sample, OutputAlpha = "x", InputResize = (64, 64) }).Select(f => f.Rgb).ToList();
        var reverse = Read(new ConvertOptions { Input = Sample, OutputAlpha = "x", Frames = new FrameRange(10, 14), Warmup = 3, WarmupOrder = WarmupOrder.Reverse, InputResize = (64, 64) });
        Assert.Equal(new[] { 13, 12, 11, 10, 11, 12, 13 }, reverse.Select(f => Which(all, f.Rgb)));
        Assert.Equal(new[] { true, true, true, false, false, false, false }, reverse.Select(f => f.Warmup));
        var forward = Read(new ConvertOptions { Input = Sample, OutputAlpha = "x", Frames = new FrameRange(10, 14), Warmup = 3, InputResize = (64, 64) });
        Assert.Equal(new[] { 7, 8, 9, 10, 11, 12, 13 }, forward.Select(f => Which(all, f.Rgb)));
        Assert.Equal(new[] { 10, 11, 12, 13 }, forward.Where(f => !f.Warmup).Select(f => f.Index));
        // Forward warm-up stops at frame 0; reverse stops at the last frame.
        Assert.Equal(new[] { 0, 1, 2 }, Read(new ConvertOptions { Input = Sample, OutputAlpha = "x", Frames = new FrameRange(0, 3), Warmup = 5, InputResize = (64, 64) })
            .Select(f => Which(all, f.Rgb)));
        Assert.Equal(new[] { 29, 28, 29 }, Read(new ConvertOptions { Input = Sample, OutputAlpha = "x", Frames = new FrameRange(28, 30), Warmup = 5,
            WarmupOrder = WarmupOrder.Reverse, InputResize = (64, 64) }).Select(f => Which(all, f.Rgb)));
    }

    [SkippableFact]
    public void AChunkPrimedWithEveryEarlierFrameEqualsOnePassAndWritesOnlyItsFrames()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        var one = CliRunner.Run("convert", Sample, "--output-alpha", dir.File("one"), "--output-type", "png_sequence", "--input-resize", "128x128", "--quiet");
        Assert.True(one.ExitCode == 0, one.StdErr);
        var chunk = CliRunner.Run("convert", Sample, "--frames", "12:20", "--warmup", "12", "--output-alpha", dir.File("chunk"), "--output-type", "png_sequence",
            "--input-resize", "128x128", "--quiet");
        Assert.True(chunk.ExitCode == 0, chunk.StdErr);
        var names = Directory.GetFiles(dir.File("chunk")).Select(Path.GetFileName).Order().ToArray();
        Assert.Equal(Enumerable.Range(12, 8).Select(i => $"{i:D4}.png"), names);
        foreach (var name in names)
            Assert.True(File.ReadAllBytes(Path.Combine(dir.File("one"), name!)).SequenceEqual(File.ReadAllBytes(Path.Combine(dir.File("chunk"), name!))), $"{name} differs from one pass");
        // A cold chunk differs at its start (that is what the warm-up is for).
        var cold = CliRunner.Run("convert", Sample, "--frames", "12:20", "--output-alpha", dir.File("cold"), "--output-type", "png_sequence",
            "--input-resize", "128x128", "--quiet");
        Assert.True(cold.ExitCode == 0, cold.StdErr);
        Assert.False(File.ReadAllBytes(Path.Combine(dir.File("one"), "0012.png")).SequenceEqual(File.ReadAllBytes(Path.Combine(dir.File("cold"), "0012.png"))));
        // A video chunk holds exactly its frames.
        var video = CliRunner.Run("convert", Sample, "--frames", "5:17", "--warmup", "5", "--output-alpha", dir.File("pha.mp4"), "--quiet");
        Assert.True(video.ExitCode == 0, video.StdErr);
        Assert.Equal(12, MediaTools.Video(dir.File("pha.mp4")).Frames);
    }

    [SkippableFact]
    public void BadRangesAreOneLineAndWriteNothing()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        var past = CliRunner.Run("convert", Sample, "--frames", "40:50", "--output-alpha", dir.File("pha.mp4"));
        Assert.Equal(1, past.ExitCode);
        Assert.Contains("holds 30 frame(s); --frames 40:50 starts past its end", past.StdErr);
        Assert.Single(past.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        foreach (var (args, message) in new[]
                 {
                     (new[] { "--frames", "5:3" }, "--frames must be A:B with 0 <= A < B"),
                     (new[] { "--frames", "1:3", "--start", "1" }, "does not combine with --start"),
                     (new[] { "--warmup", "61" }, "--warmup must be a whole number from 0 to 60"),
                     (new[] { "--frames", "2:5", "--background", Sample }, "a video background would restart"),
                 })
        {
            var r = CliRunner.Run(new[] { "convert", Sample, "--output-composition", dir.File("com.mp4") }.Concat(args).ToArray());
            _log.WriteLine(r.StdErr);
            Assert.NotEqual(0, r.ExitCode);
            Assert.Contains(message, r.StdErr);
        }
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    /// <summary>
    /// The priming of frame 0 (the conversion's own source): the input's frames P..1 as warm-up, then every frame from 0;
    /// a chunk whose forward warm-up reaches frame 0 is primed the same way before it, one that does not is not; a
    /// pass that only looks at the frames is never primed.
    /// </summary>
    [SkippableFact]
    public void FrameZeroIsPrimedOnTheOpeningFramesBackwards()
    {
        MediaTools.SkipIfMissing();
        var all = Read(new ConvertOptions { Input = Sample, OutputAlpha = "x", InputResize = (64, 64) }).Select(f => f.Rgb).ToList();
        Assert.Equal(30, all.Count);
        var primed = Read(new ConvertOptions { Input = Sample, OutputAlpha = "x", InputResize = (64, 64), Priming = 4 }, prime: true);
        Assert.Equal(new[] { 4, 3, 2, 1 }.Concat(Enumerable.Range(0, 30)), primed.Select(f => Which(all, f.Rgb)));
        Assert.Equal(Enumerable.Repeat(true, 4).Concat(Enumerable.Repeat(false, 30)), primed.Select(f => f.Warmup));
        Assert.Equal(Enumerable.Range(0, 30), primed.Where(f => !f.Warmup).Select(f => f.Index));
        // A chunk from frame 5 whose warm-up of 6 reaches frame 0: primed, then 0..4 warm it up.
        var reaching = Read(new ConvertOptions { Input = Sample, OutputAlpha = "x", Frames = new FrameRange(5, 8), Warmup = 6, InputResize = (64, 64), Priming = 3 }, prime: true);
        Assert.Equal(new[] { 3, 2, 1, 0, 1, 2, 3, 4, 5, 6, 7 }, reaching.Select(f => Which(all, f.Rgb)));
        Assert.Equal(new[] { 5, 6, 7 }, reaching.Where(f => !f.Warmup).Select(f => f.Index));
        // One whose warm-up starts after frame 0: as before.
        Assert.Equal(new[] { 7, 8, 9, 10, 11 }, Read(new ConvertOptions { Input = Sample, OutputAlpha = "x", Frames = new FrameRange(9, 12), Warmup = 2,
            InputResize = (64, 64), Priming = 3 }, prime: true).Select(f => Which(all, f.Rgb)));
        // Not the conversion's own source, or --priming 0: no priming.
        Assert.Equal(30, Read(new ConvertOptions { Input = Sample, OutputAlpha = "x", InputResize = (64, 64), Priming = 4 }).Count);
        Assert.Equal(30, Read(new ConvertOptions { Input = Sample, OutputAlpha = "x", InputResize = (64, 64), Priming = 0 }, prime: true).Count);
    }

    /// <summary>One pass primes frame 0 as a chunk of the whole input primed in reverse does: the same alpha, byte for byte; <c>--priming 0</c> differs.</summary>
    [SkippableFact]
    public void OnePassIsPrimedByDefaultAndPrimingZeroIsTheZeroState()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        string[] common = { "--input-resize", "128x128", "--output-type", "png_sequence", "--quiet", "--threads", "2" };
        Assert.Equal(0, CliRunner.Run(new[] { "convert", Sample, "--output-alpha", dir.File("default") }.Concat(common).ToArray()).ExitCode);
        Assert.Equal(0, CliRunner.Run(new[] { "convert", Sample, "--output-alpha", dir.File("reverse"), "--frames", "0:30", "--warmup", "15", "--warmup-order", "reverse", "--priming", "0" }.Concat(common).ToArray()).ExitCode);
        Assert.Equal(0, CliRunner.Run(new[] { "convert", Sample, "--output-alpha", dir.File("zero"), "--priming", "0" }.Concat(common).ToArray()).ExitCode);
        int same = 0;
        for (int i = 0; i < 30; i++)
        {
            var primed = File.ReadAllBytes(Path.Combine(dir.File("default"), $"{i:D4}.png"));
            Assert.True(primed.AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(dir.File("reverse"), $"{i:D4}.png"))), $"frame {i} differs from the reverse warm-up");
            if (primed.AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(dir.File("zero"), $"{i:D4}.png")))) same++;
        }
        Assert.True(same < 5, $"{same} of 30 frames are the same primed and from a zero state");
        var bad = CliRunner.Run("convert", Sample, "--output-alpha", dir.File("x"), "--priming", "61");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--priming must be a whole number from 0 to 60, got 61", bad.StdErr);
    }

    private sealed record Frame(byte[] Rgb, int Index, bool Warmup);

    private static List<Frame> Read(ConvertOptions options, bool prime = false)
    {
        using var source = FrameSource.Open(options, prime: prime);
        var frames = new List<Frame>();
        var slot = new FrameSlot();
        while (source.Read(slot)) frames.Add(new Frame(slot.Rgb.AsSpan(0, slot.Pixels * 3).ToArray(), slot.Index, slot.Warmup));
        return frames;
    }

    private static int Which(List<byte[]> all, byte[] rgb) => all.FindIndex(f => f.AsSpan().SequenceEqual(rgb));
}
