using MatteKit.Datasets;
using MatteKit.Media;
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
        var mattes = SharedData.Path("media", "matting");
        SharedData.SkipIfMissing(Path.Combine(mattes, "p3m_p_22fc0130"));
        SharedData.SkipIfMissing(Path.Combine(mattes, "p3m_p_514ca06a"));
        using var dir = new TempFolder();
        var fg = Directory.CreateDirectory(dir.File("fg")).FullName;
        foreach (var name in new[] { "p3m_p_22fc0130", "p3m_p_514ca06a" })
        {
            Directory.CreateDirectory(Path.Combine(fg, name));
            foreach (var file in Directory.GetFiles(Path.Combine(mattes, name))) File.Copy(file, Path.Combine(fg, name, Path.GetFileName(file)));
        }
        var bg = Directory.CreateDirectory(dir.File("bg")).FullName;
        PngFile.WriteRgb(Path.Combine(bg, "wall.png"), 64, 36, Enumerable.Range(0, 64 * 36 * 3).Select(i => (byte)(90 + i % 3 * 40 + i / (64 * 3) % 9)).ToArray());
        DatasetComposer.Run(new ComposeOptions { Foregrounds = fg, Backgrounds = bg, Output = dir.File("ds"), Width = 640, Height = 360, Frames = 8 });
        var clips = Directory.GetDirectories(dir.File("ds")).Order(StringComparer.Ordinal).ToArray();
        var frames = PersonPair.Build(clips[0], clips[1], 8);
        var pngs = Directory.CreateDirectory(dir.File("com")).FullName;
        for (int i = 0; i < frames.Count; i++) PngFile.WriteRgb(Path.Combine(pngs, $"{i:D4}.png"), 640, 360, frames[i].Rgb);
        // A slow rate, so that a busy 2-core machine mattes most frames rather than dropping them.
        MediaTools.Ffmpeg("-framerate", "4", "-i", Path.Combine(pngs, "%04d.png"), "-c:v", "libx264", "-crf", "12", "-pix_fmt", "yuv444p", dir.File("two.mp4"));
        var (left, right) = (Box(frames[0].LeftAlpha), Box(frames[0].RightAlpha));
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
    }

    private static (int L, int T, int R, int B) Box(byte[] alpha)
    {
        int l = 640, t = 360, r = -1, b = -1;
        for (int y = 0; y < 360; y++)
            for (int x = 0; x < 640; x++)
                if (alpha[y * 640 + x] > 0) (l, t, r, b) = (Math.Min(l, x), Math.Min(t, y), Math.Max(r, x + 1), Math.Max(b, y + 1));
        return (l, t, r, b);
    }

    private static double Mean(byte[] alpha, (int L, int T, int R, int B) box)
    {
        double sum = 0;
        for (int y = box.T; y < box.B; y++)
            for (int x = box.L; x < box.R; x++) sum += alpha[y * 640 + x] / 255.0;
        return sum / ((box.R - box.L) * (box.B - box.T));
    }
}
