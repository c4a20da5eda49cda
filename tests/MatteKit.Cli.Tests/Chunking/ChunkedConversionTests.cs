using System.Diagnostics;
using System.Text.RegularExpressions;
using MatteKit.Media;
using MatteKit.Tests.TestSupport;
using Xunit.Abstractions;

namespace MatteKit.Tests.Chunking;

/// <summary>
/// <c>mattekit plan</c>, <c>chunk</c>, <c>join</c> and <c>convert --workers</c> as a user runs them: the joined
/// outputs against a one-pass run (frames, rate, audio; alpha equal where the warm-up reaches back to frame 0,
/// close after), idempotent chunks in any order, and the bad cases in one line with nothing half-joined.
/// </summary>
public sealed class ChunkedConversionTests
{
    private static readonly string Sample = Path.Combine(SharedData.RepoRoot, "samples", "astronaut_zoom.mp4"); // 512x512, 25 fps, 30 frames, aac
    private readonly ITestOutputHelper _log;

    public ChunkedConversionTests(ITestOutputHelper log) => _log = log;

    [SkippableFact]
    public void ChunksInAnyOrderJoinToTheOnePassResult()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        var one = Cli("convert", Sample, "--output-alpha", dir.File("one"), "--output-type", "png_sequence", "--input-resize", "128x128", "--quiet");
        Cli("plan", Sample, "--output-alpha", dir.File("pha"), "--output-composition", dir.File("com.mp4"), "--input-resize", "128x128",
            "--chunk-frames", "8", "--out", dir.File("plan.json"));
        foreach (int k in new[] { 3, 1, 0 }) Cli("chunk", dir.File("plan.json"), "--index", k.ToString());
        // Two workers on the same chunk (a requeued job whose first run went on): both finish, one segment kept.
        var twins = Enumerable.Range(0, 2).Select(_ => CliRunner.Start(new Dictionary<string, string>(), "chunk", dir.File("plan.json"), "--index", "2")).ToList();
        foreach (var twin in twins)
        {
            Assert.True(twin.WaitForExit(TimeSpan.FromSeconds(120)));
            Assert.True(twin.ExitCode == 0, twin.StandardError.ReadToEnd());
            twin.Dispose();
        }
        var marker = Path.Combine(dir.File("plan.segments"), "chunk.00002.done");
        var written = File.GetLastWriteTimeUtc(marker);
        Assert.Contains("already done", Cli("chunk", dir.File("plan.json"), "--index", "2").StdOut);
        Assert.Equal(written, File.GetLastWriteTimeUtc(marker));
        Cli("join", dir.File("plan.json"));

        var video = MediaTools.Video(dir.File("com.mp4"));
        Assert.Equal((128, 128, 30, "25/1"), (video.Width, video.Height, video.Frames, video.FrameRate));
        // The input's audio, once, over the whole length.
        var audio = MediaTools.Probe(dir.File("com.mp4")).Single(s => s.Type == "audio");
        Assert.Equal(MediaTools.Probe(Sample).Single(s => s.Type == "audio").Codec, audio.Codec);
        var (_, audioIn, _) = MediaTools.Durations(Sample);
        var (_, audioOut, _) = MediaTools.Durations(dir.File("com.mp4"));
        Assert.InRange(audioOut, audioIn - 0.05, audioIn + 0.05);

        var names = Directory.GetFiles(dir.File("pha")).Select(Path.GetFileName).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, 30).Select(i => $"{i:D4}.png"), names);
        for (int i = 0; i < 30; i++)
        {
            var a = PngFile.ReadGray(Path.Combine(dir.File("one"), $"{i:D4}.png")).Pixels;
            var b = PngFile.ReadGray(Path.Combine(dir.File("pha"), $"{i:D4}.png")).Pixels;
            double mad = a.Zip(b).Average(p => Math.Abs(p.First - p.Second)) / 255.0 * 1e3;
            _log.WriteLine($"frame {i}: MAD against one pass {mad:F3} x1e3");
            // Chunks 0 and 1 start at frame 0 or within the 15-frame warm-up of it: the same state, the same alpha.
            if (i < 16) Assert.True(a.AsSpan().SequenceEqual(b), $"frame {i} differs from one pass");
            else Assert.True(mad < 5, $"frame {i}: MAD {mad:F2} x1e3 against one pass");
        }
        // Only the join's record is left: the segments are gone.
        Assert.Equal(new[] { "joined" }, Directory.GetFileSystemEntries(dir.File("plan.segments")).Select(Path.GetFileName));
        Assert.Empty(Directory.GetFiles(dir.Path, ".*partial*"));
    }

    [SkippableFact]
    public void BadPlansChunksAndJoinsAreOneLineAndJoinNothing()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        string input = dir.File("in.mp4");
        File.Copy(Sample, input);
        Cli("plan", input, "--output-alpha", dir.File("pha.mp4"), "--input-resize", "64x64", "--chunk-frames", "10", "--out", dir.File("plan.json"), "--quiet");

        var outOfRange = CliRunner.Run("chunk", dir.File("plan.json"), "--index", "3");
        Assert.Equal(2, outOfRange.ExitCode);
        Assert.Contains("--index 3 is out of range", outOfRange.StdErr);

        Cli("chunk", dir.File("plan.json"), "--index", "0");
        var missing = CliRunner.Run("join", dir.File("plan.json"));
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("2 chunk(s) not done (1, 2)", Assert.Single(missing.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        // In the command line's words (it said "Index K", the library's name; found by the hostile-input pass).
        Assert.EndsWith("convert those chunks first (--index K of this plan)", missing.StdErr.Trim());
        Assert.False(File.Exists(dir.File("pha.mp4")));

        File.SetLastWriteTimeUtc(input, DateTime.UtcNow.AddMinutes(-5));
        foreach (var r in new[] { CliRunner.Run("chunk", dir.File("plan.json"), "--index", "1"), CliRunner.Run("join", dir.File("plan.json")) })
        {
            Assert.Equal(1, r.ExitCode);
            Assert.Contains("changed since it was planned", Assert.Single(r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        }
        Assert.False(File.Exists(dir.File("pha.mp4")));
        Assert.Empty(Directory.GetFiles(dir.Path, ".*partial*"));

        var notAPlan = CliRunner.Run("join", input);
        Assert.Equal(1, notAPlan.ExitCode);
        Assert.Contains("is not a MatteKit plan", notAPlan.StdErr);
        var gif = CliRunner.Run("plan", Sample, "--output-composition", dir.File("x.gif"), "--chunk-frames", "10", "--out", dir.File("p2.json"));
        Assert.Equal(2, gif.ExitCode);
        Assert.Contains("GIF segments cannot be joined", gif.StdErr);
    }

    [SkippableFact]
    public void LocalWorkersAfterAKillFinishOnlyTheMissingChunks()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        string[] command = { "convert", Sample, "--output-alpha", dir.File("pha.mp4"), "--input-resize", "256x256", "--workers", Math.Min(2, Environment.ProcessorCount).ToString(), "--chunk-frames", "3" };
        using (var first = CliRunner.Start(new Dictionary<string, string>(), command))
        {
            string segments = dir.File(".pha.mp4.mattekit-plan.segments");
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(120) && (!Directory.Exists(segments) || Directory.GetFiles(segments, "*.done").Length < 2)) Thread.Sleep(50);
            first.Kill(entireProcessTree: true);
            first.WaitForExit();
            Assert.True(Directory.GetFiles(segments, "*.done").Length >= 2, "no chunk finished before the kill");
        }
        var again = CliRunner.Run(command);
        _log.WriteLine(again.StdOut + again.StdErr);
        Assert.True(again.ExitCode == 0, again.StdErr);
        var todo = Regex.Match(again.StdErr, @"10 chunks of 3 frames, (\d+) to do");
        Assert.True(todo.Success, again.StdErr);
        Assert.InRange(int.Parse(todo.Groups[1].Value), 0, 8);
        Assert.Equal(30, MediaTools.Video(dir.File("pha.mp4")).Frames);
        Assert.Equal(new[] { "pha.mp4" }, Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName));
    }

    private CliRunner.Result Cli(params string[] args)
    {
        var r = CliRunner.Run(args);
        _log.WriteLine($"mattekit {string.Join(' ', args)}: {r.StdOut}{r.StdErr}");
        Assert.True(r.ExitCode == 0, $"{string.Join(' ', args)}: {r.StdErr}");
        return r;
    }
}
