using MatteKit.Datasets;
using MatteKit.Media;
using MatteKit.Tests.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace MatteKit.Tests.Cli;

/// <summary><c>convert --subject</c> end to end on two people whose ground truth is known separately, and its usage errors.</summary>
[Trait("Needs", "shared")]
public sealed class SubjectConvertTests
{
    private static readonly string Image = Path.Combine(SharedData.RepoRoot, "samples", "astronaut.png");
    private readonly ITestOutputHelper _log;

    public SubjectConvertTests(ITestOutputHelper log) => _log = log;

    [SkippableFact]
    public void APointOnNobodyInTheFirstFrameNamesThePeopleFoundThere()
    {
        using var dir = new TempFolder();
        var (input, _) = TwoPeopleClip.Build(dir, 3);
        var r = CliRunner.Run("convert", input, "--subject", "3,3", "--output-alpha", dir.File("a"), "--threads", "2");
        _log.WriteLine($"exit {r.ExitCode}: {r.StdErr.Trim()}");
        Assert.Equal(2, r.ExitCode);
        var line = Assert.Single(r.StdErr.Trim().Split('\n'));
        Assert.Contains("--subject 3,3: nobody stands at that point in frame 0, the frame a point is read in; people found there: 0 at (", line);
        Assert.False(Directory.Exists(dir.File("a")));
    }

    [SkippableFact]
    public void AMaskOfTheFirstFrameChoosesThePersonItMarks()
    {
        using var dir = new TempFolder();
        var (input, frames) = TwoPeopleClip.Build(dir, 4);
        // The right person's own alpha in frame 0 as the mask, as a user would paint or export it.
        PngFile.WriteGray(dir.File("right.png"), 640, 360, frames[0].RightAlpha);
        var kept = CliRunner.Run("convert", input, "--subject-mask", dir.File("right.png"), "--output-alpha", dir.File("kept"), "--threads", "2");
        _log.WriteLine(kept.StdOut + kept.StdErr);
        Assert.True(kept.ExitCode == 0, kept.StdErr);
        Assert.Contains($"subject (mask {dir.File("right.png")}): chosen at frame 0;", kept.StdOut);
        var (left, right) = (Box(frames[0].LeftAlpha), Box(frames[0].RightAlpha));
        var alpha = PngFile.ReadGray(Path.Combine(dir.File("kept"), "0000.png")).Pixels;
        _log.WriteLine($"frame 0 MAD x1e3: other's box {Mad(alpha, null, left) * 1e3:0.00}, chosen {Mad(alpha, frames[0].RightAlpha, right) * 1e3:0.00}");
        Assert.True(Mad(alpha, null, left) < 0.005, "the other person keeps alpha");
        Assert.True(Mad(alpha, frames[0].RightAlpha, right) < 0.1, "the chosen person lost alpha");

        // A mask over the wall marks nobody the detector finds; one of the wrong size is refused before any work.
        var wall = new byte[640 * 360];
        for (int y = 0; y < 40; y++) for (int x = 0; x < 40; x++) wall[y * 640 + x] = 255;
        PngFile.WriteGray(dir.File("wall.png"), 640, 360, wall);
        PngFile.WriteGray(dir.File("small.png"), 64, 36, new byte[64 * 36].Select(_ => (byte)255).ToArray());
        PngFile.WriteGray(dir.File("empty.png"), 640, 360, new byte[640 * 360]);
        foreach (var (mask, expected) in new[]
                 {
                     ("wall.png", "no one found in frame 0, the frame a mask is of, holds at least 50% of the mask in their box; people found there: 0 at ("),
                     ("small.png", "the mask is 64x36, the frames 640x360"),
                     ("empty.png", "the mask marks nobody (no pixel above 127)"),
                 })
        {
            var r = CliRunner.Run("convert", input, "--subject-mask", dir.File(mask), "--output-alpha", dir.File("x"), "--threads", "2");
            _log.WriteLine($"{mask}: exit {r.ExitCode}: {r.StdErr.Trim()}");
            Assert.Equal(2, r.ExitCode);
            Assert.Contains($"--subject-mask {dir.File(mask)}: {expected}", r.StdErr);
            Assert.False(Directory.Exists(dir.File("x")));
        }
        var unnamed = CliRunner.Run("convert", input, "--subject-mask", "", "--output-alpha", dir.File("x"));
        Assert.Equal(2, unnamed.ExitCode);
        Assert.Contains("--subject-mask is empty; give --subject-mask <", unnamed.StdErr);
        var both = CliRunner.Run("convert", input, "--subject", "largest", "--subject-mask", dir.File("right.png"), "--output-alpha", dir.File("x"));
        Assert.Equal(2, both.ExitCode);
        Assert.Contains("give either --subject or --subject-mask, not both", both.StdErr);
    }

    [SkippableFact]
    public void TheOtherPersonIsRemovedAndTheChosenOneKept()
    {
        using var dir = new TempFolder();
        var (input, frames) = TwoPeopleClip.Build(dir, 6);
        var (left, right) = (Box(frames[0].LeftAlpha), Box(frames[0].RightAlpha));

        var alone = CliRunner.Run("convert", input, "--output-alpha", dir.File("alone"), "--threads", "2");
        Assert.True(alone.ExitCode == 0, alone.StdErr);
        string point = $"{(right.L + right.R) / 2},{(right.T + right.B) / 2}";
        var kept = CliRunner.Run("convert", input, "--subject", point, "--output-alpha", dir.File("kept"), "--threads", "2");
        _log.WriteLine(kept.StdOut + kept.StdErr);
        Assert.True(kept.ExitCode == 0, kept.StdErr);
        Assert.Contains($"subject ({point}): chosen at frame 0; tracked 6, coasting 0, lost 0 frame(s)", kept.StdOut);

        double otherAlone = 0, otherKept = 0, chosenAlone = 0, chosenKept = 0;
        for (int i = 0; i < frames.Count; i++)
        {
            var a = PngFile.ReadGray(Path.Combine(dir.File("alone"), $"{i:D4}.png")).Pixels;
            var k = PngFile.ReadGray(Path.Combine(dir.File("kept"), $"{i:D4}.png")).Pixels;
            var (l, r) = (Box(frames[i].LeftAlpha), Box(frames[i].RightAlpha));
            otherAlone += Mad(a, null, l);
            otherKept += Mad(k, null, l);
            chosenAlone += Mad(a, frames[i].RightAlpha, r);
            chosenKept += Mad(k, frames[i].RightAlpha, r);
        }
        int n = frames.Count;
        _log.WriteLine($"MAD x1e3: other's box {otherAlone / n * 1e3:0.00} alone, {otherKept / n * 1e3:0.00} with --subject; " +
                       $"chosen {chosenAlone / n * 1e3:0.00} alone, {chosenKept / n * 1e3:0.00} with --subject");
        Assert.True(otherAlone / n > 0.2, "RVM alone mattes the other person too: the composite has two people");
        Assert.True(otherKept / n < 0.005, $"other person's box keeps alpha {otherKept / n:0.0000}");
        Assert.True(chosenKept / n < chosenAlone / n + 0.003, $"chosen person: {chosenKept / n:0.0000} against {chosenAlone / n:0.0000} alone");
    }

    /// <summary>
    /// <c>--subject-frame</c>: the point is read in a later frame, and the person found there is kept from the first
    /// frame on (a pass before finds them); a frame past the end, or nobody at the point there, is one line and exit 2.
    /// </summary>
    [SkippableFact]
    public void APointInALaterFrameKeepsThatPersonFromTheFirst()
    {
        using var dir = new TempFolder();
        var (input, frames) = TwoPeopleClip.Build(dir, 4);
        var right = Box(frames[3].RightAlpha);
        string point = $"{(right.L + right.R) / 2},{(right.T + right.B) / 2}";
        var kept = CliRunner.Run("convert", input, "--subject", point, "--subject-frame", "3", "--output-alpha", dir.File("kept"), "--threads", "2");
        _log.WriteLine(kept.StdOut + kept.StdErr);
        Assert.True(kept.ExitCode == 0, kept.StdErr);
        Assert.Contains($"subject ({point} in frame 3): chosen at frame 0;", kept.StdOut);
        var first = PngFile.ReadGray(Path.Combine(dir.File("kept"), "0000.png")).Pixels;
        Assert.True(Mad(first, null, Box(frames[0].LeftAlpha)) < 0.005, "the other person keeps alpha in frame 0");
        Assert.True(Mad(first, frames[0].RightAlpha, Box(frames[0].RightAlpha)) < 0.1, "the chosen person is not kept in frame 0");

        // The same frame named by its time: a folder of images runs at 30 frames a second, so 0.1 s is frame 3.
        var timed = CliRunner.Run("convert", input, "--subject", point, "--subject-time", "0.1", "--output-alpha", dir.File("timed"), "--threads", "2");
        Assert.True(timed.ExitCode == 0, timed.StdErr);
        Assert.Contains($"subject ({point} at 0.1 s): chosen at frame 0;", timed.StdOut);
        for (int i = 0; i < frames.Count; i++)
            Assert.True(PngFile.ReadGray(Path.Combine(dir.File("kept"), $"{i:D4}.png")).Pixels.AsSpan().SequenceEqual(PngFile.ReadGray(Path.Combine(dir.File("timed"), $"{i:D4}.png")).Pixels),
                $"frame {i}: --subject-time 0.1 keeps otherwise than --subject-frame 3");

        foreach (var (args, expected) in new[]
                 {
                     (new[] { "--subject", point, "--subject-frame", "9" }, "--subject-frame 9: 4 frame(s) were read (0 to 3); give a frame among them"),
                     (new[] { "--subject", point, "--subject-time", "9" }, "--subject-time 9 (frame 270): 4 frame(s) were read (0 to 3); give a frame among them"),
                     (new[] { "--subject", point, "--subject-time", "0.1", "--subject-frame", "3" }, "give either --subject-frame or --subject-time, not both"),
                     (new[] { "--subject-time", "1" }, "--subject-time needs --subject or --subject-mask"),
                     (new[] { "--subject", "3,3", "--subject-frame", "2" }, "--subject 3,3 in frame 2: nobody stands at that point in frame 2, the frame a point is read in; people found there: 0 at ("),
                     (new[] { "--subject-frame", "2" }, "--subject-frame needs --subject or --subject-mask"),
                     (new[] { "--subject", "largest", "--subject-frame", "-1" }, "--subject-frame"),
                 })
        {
            var r = CliRunner.Run(new[] { "convert", input, "--output-alpha", dir.File("x"), "--threads", "2" }.Concat(args).ToArray());
            _log.WriteLine($"{string.Join(' ', args)}: exit {r.ExitCode}: {r.StdErr.Trim()}");
            Assert.Equal(2, r.ExitCode);
            Assert.Contains(expected, Assert.Single(r.StdErr.Trim().Split('\n')));
            Assert.False(Directory.Exists(dir.File("x")));
        }
    }

    /// <summary>
    /// A stream cannot be read twice, so its choice is read in its frame as the frames come: a stream that ends before
    /// that frame is the same one line and exit 2 as a file's frame past the end, with no output left.
    /// </summary>
    [SkippableFact]
    public void AStreamThatEndsBeforeTheSubjectsFrameIsOneLineAndExitTwo()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        // 30 frames at 25 frames a second, read as a stream (a URL); 9 s is frame 225.
        var stream = "file://" + Path.Combine(SharedData.RepoRoot, "samples", "astronaut_zoom.mp4");
        var r = CliRunner.Run("convert", stream, "--subject", "largest", "--subject-time", "9", "--output-alpha", dir.File("x"), "--threads", "2", "--quiet");
        _log.WriteLine($"a stream, --subject-time 9: exit {r.ExitCode}: {r.StdErr.Trim()} | {r.StdOut.Trim()}");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--subject-time 9 (frame 225): 30 frame(s) were read (0 to 29); give a frame among them", Assert.Single(r.StdErr.Trim().Split('\n')));
        Assert.False(Directory.Exists(dir.File("x")));
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path, ".*partial*"));
    }

    /// <summary>A point is checked against the frame it is read in: a folder's images may differ in size.</summary>
    [SkippableFact]
    public void APointIsOfTheFrameItIsReadIn()
    {
        using var dir = new TempFolder();
        var folder = Directory.CreateDirectory(dir.File("mixed")).FullName;
        PngFile.WriteRgb(Path.Combine(folder, "0001.png"), 64, 36, new byte[64 * 36 * 3]);
        File.Copy(Image, Path.Combine(folder, "0002.png"));
        var r = CliRunner.Run("convert", folder, "--subject", "256,256", "--subject-frame", "1", "--output-alpha", dir.File("a"), "--threads", "2");
        _log.WriteLine($"exit {r.ExitCode}: {r.StdOut.Trim()} {r.StdErr.Trim()}");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains("subject (256,256 in frame 1): chosen at frame 1;", r.StdOut);
        var wrong = CliRunner.Run("convert", folder, "--subject", "256,256", "--output-alpha", dir.File("b"), "--threads", "2");
        Assert.Equal(2, wrong.ExitCode);
        Assert.Contains("the point lies outside the frame (64x36)", wrong.StdErr);
        Assert.False(Directory.Exists(dir.File("b")));
    }

    [Theory]
    [InlineData("--subject", "biggest", "--subject must be largest, center, X,Y")]
    [InlineData("--frames", "1:2", "--subject follows one person from the first frame on")]
    [InlineData("--warmup", "2", "--subject follows one person from the first frame on")]
    public void UsageErrors(string option, string value, string message)
    {
        using var dir = new TempFolder();
        var args = new List<string> { "convert", Image, "--output-alpha", dir.File("a.png"), option, value };
        if (option != "--subject") args.AddRange(new[] { "--subject", "largest" });
        var r = CliRunner.Run(args.ToArray());
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.StdErr);
    }

    /// <summary>
    /// <c>plan --subject</c>: the person pass runs once when planning; chunks in any order, joined, give the one pass's
    /// alpha byte for byte (the warm-up reaches back to frame 0 in every chunk here, so RVM's state is the same too),
    /// and so does <c>convert --workers</c>. The choice is read in a later frame, so the pass before runs as well. A
    /// damaged block of the pass is one line naming it.
    /// </summary>
    [SkippableFact]
    public void APlanWithASubjectJoinsToTheOnePassResult()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        var (input, frames) = TwoPeopleClip.Build(dir, 7);
        var right = Box(frames[2].RightAlpha);
        string[] subject = { "--subject", $"{(right.L + right.R) / 2},{(right.T + right.B) / 2}", "--subject-frame", "2", "--threads", "2" };
        var one = CliRunner.Run(new[] { "convert", input, "--output-alpha", dir.File("one") }.Concat(subject).ToArray());
        Assert.True(one.ExitCode == 0, one.StdErr);

        var plan = CliRunner.Run(new[] { "plan", input, "--output-alpha", dir.File("joined"), "--chunk-frames", "3", "--out", dir.File("plan.json") }.Concat(subject).ToArray());
        _log.WriteLine(plan.StdOut + plan.StdErr);
        Assert.True(plan.ExitCode == 0, plan.StdErr);
        Assert.Contains($"person pass: subject ({subject[1]} in frame 2): chosen at frame 0; tracked 7, coasting 0, lost 0 frame(s)", plan.StdOut);
        Assert.Contains("frame 7/7", plan.StdErr);
        foreach (int k in new[] { 2, 0, 1 })
        {
            var chunk = CliRunner.Run("chunk", dir.File("plan.json"), "--index", k.ToString());
            Assert.True(chunk.ExitCode == 0, chunk.StdErr);
        }
        var join = CliRunner.Run("join", dir.File("plan.json"));
        Assert.True(join.ExitCode == 0, join.StdErr);
        var workers = CliRunner.Run(new[] { "convert", input, "--output-alpha", dir.File("workers"), "--workers", "2", "--chunk-frames", "2" }.Concat(subject).ToArray());
        Assert.True(workers.ExitCode == 0, workers.StdErr);
        for (int i = 0; i < frames.Count; i++)
        {
            var expected = PngFile.ReadGray(Path.Combine(dir.File("one"), $"{i:D4}.png")).Pixels;
            Assert.True(Mad(expected, null, Box(frames[i].LeftAlpha)) < 0.005, $"frame {i}: the other person keeps alpha in one pass");
            foreach (var run in new[] { "joined", "workers" })
                Assert.True(expected.AsSpan().SequenceEqual(PngFile.ReadGray(Path.Combine(dir.File(run), $"{i:D4}.png")).Pixels), $"{run}: frame {i} differs from one pass");
        }
        // The join clears the pass's blocks with the segments.
        Assert.Equal(new[] { "joined" }, Directory.GetFileSystemEntries(dir.File("plan.segments")).Select(Path.GetFileName));

        // A block changed after planning: the chunk that needs it says which, and writes nothing.
        Assert.Equal(0, CliRunner.Run(new[] { "plan", input, "--output-alpha", dir.File("again"), "--chunk-frames", "4", "--out", dir.File("p2.json"), "--quiet" }.Concat(subject).ToArray()).ExitCode);
        string block = Path.Combine(dir.File("p2.segments"), "subject.00000.keep");
        var bytes = File.ReadAllBytes(block);
        bytes[^1] ^= 1;
        File.WriteAllBytes(block, bytes);
        var damaged = CliRunner.Run("chunk", dir.File("p2.json"), "--index", "1");
        _log.WriteLine(damaged.StdErr);
        Assert.Equal(1, damaged.ExitCode);
        Assert.Equal($"mattekit: {block}: is not the block of the person pass the plan recorded (changed or damaged; plan again)", Assert.Single(damaged.StdErr.Trim().Split('\n')));
        Assert.False(File.Exists(Path.Combine(dir.File("p2.segments"), "chunk.00001.done")));

        // Nobody at the point: a usage error before any plan is written.
        var nobody = CliRunner.Run("plan", input, "--output-alpha", dir.File("x"), "--subject", "3,3", "--chunk-frames", "4", "--out", dir.File("p3.json"));
        Assert.Equal(2, nobody.ExitCode);
        Assert.Contains("--subject 3,3: nobody stands at that point in frame 0", Assert.Single(nobody.StdErr.Trim().Split('\n')));
        Assert.False(File.Exists(dir.File("p3.json")));
    }

    private static (int L, int T, int R, int B) Box(byte[] alpha) => TwoPeopleClip.Box(alpha);

    private static double Mad(byte[] predicted, byte[]? truth, (int L, int T, int R, int B) box) => TwoPeopleClip.Mad(predicted, truth, box);
}
