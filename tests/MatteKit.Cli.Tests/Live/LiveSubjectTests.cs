using MatteKit.Tests.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace MatteKit.Tests.Live;

/// <summary>
/// <c>live --subject</c>: the same runner as <c>convert --subject</c> behind live's seam. Two people side by side, the
/// one on the right chosen by a point: the other's region comes out without alpha, the chosen one's with it.
/// </summary>
[Trait("Needs", "realtime")]
public sealed class LiveSubjectTests
{
    private readonly ITestOutputHelper _log;

    public LiveSubjectTests(ITestOutputHelper log) => _log = log;

    [SkippableFact]
    public void OnlyTheChosenPersonIsMattedLive()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        var (pngs, frames) = TwoPeopleClip.Build(dir, 8);
        TwoPeopleClip.Video(dir, pngs);
        var (left, right) = (TwoPeopleClip.Box(frames[0].LeftAlpha), TwoPeopleClip.Box(frames[0].RightAlpha));
        string point = $"{(right.L + right.R) / 2},{(right.T + right.B) / 2}";

        var r = CliRunner.Run("live", dir.File("two.mp4"), "--realtime", "--subject", point, "--output-alpha", dir.File("pha.mkv"),
            "--downsample-ratio", "0.5", "--max-latency-ms", "5000", "--threads", "2");
        _log.WriteLine(r.StdOut + r.StdErr);
        Assert.True(r.ExitCode == 0, r.StdErr);
        var outputs = MediaTools.DecodeFrames(dir.File("pha.mkv"), "gray", 640, 360);
        Assert.True(outputs.Count >= 2, $"only {outputs.Count} frame(s) out");
        double other = outputs.Average(a => Mean(a, left)), chosen = outputs.Average(a => Mean(a, right));
        _log.WriteLine($"mean alpha over {outputs.Count} frame(s): other person's box {other:0.000}, chosen person's box {chosen:0.000}");
        Assert.True(other < 0.01, $"the other person keeps alpha {other:0.000}");
        Assert.True(chosen > 0.2, $"the chosen person has alpha {chosen:0.000} only");

        // A point on nobody in the first frame: a usage error as in convert, and no output left behind.
        var nobody = CliRunner.Run("live", dir.File("two.mp4"), "--realtime", "--subject", "3,3", "--output-alpha", dir.File("none.mkv"), "--threads", "2");
        _log.WriteLine($"exit {nobody.ExitCode}: {nobody.StdErr.Trim()}");
        Assert.Equal(2, nobody.ExitCode);
        Assert.Contains("--subject 3,3: nobody stands at that point in frame 0", nobody.StdErr);
        Assert.False(File.Exists(dir.File("none.mkv")));

        // A frame the stream never reaches: said when it ends, as convert says it, the option's error (it said nothing
        // and exited 0 with every frame's alpha 0); the frames matted are kept.
        var past = CliRunner.Run("live", dir.File("two.mp4"), "--realtime", "--subject", point, "--subject-frame", "50", "--output-alpha", dir.File("past.mkv"),
            "--downsample-ratio", "0.5", "--threads", "2", "--quiet");
        _log.WriteLine($"exit {past.ExitCode}: {past.StdErr.Trim()}");
        Assert.Equal(2, past.ExitCode);
        Assert.Matches(@"--subject-frame 50: \d+ frame\(s\) were read \(0 to \d+\); give a frame among them; the outputs hold \d+ frame\(s\) with nobody chosen", past.StdErr);
        Assert.Single(past.StdErr.Trim().Split('\n'));
        Assert.True(File.Exists(dir.File("past.mkv")));
    }

    private static double Mean(byte[] alpha, (int L, int T, int R, int B) box)
    {
        double sum = 0;
        for (int y = box.T; y < box.B; y++)
            for (int x = box.L; x < box.R; x++) sum += alpha[y * 640 + x] / 255.0;
        return sum / ((box.R - box.L) * (box.B - box.T));
    }
}
