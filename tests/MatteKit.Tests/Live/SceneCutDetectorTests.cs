using MatteKit.Live;
using MatteKit.Tests.TestSupport;
using Xunit.Abstractions;

namespace MatteKit.Tests.Live;

[Trait("Needs", "shared")]
public sealed class SceneCutDetectorTests
{
    private readonly ITestOutputHelper _log;

    public SceneCutDetectorTests(ITestOutputHelper log) => _log = log;

    [SkippableFact]
    public void TheCutsOfTheTearsOfSteelClipAreFoundAndItsMotionIsNot()
    {
        MediaTools.SkipIfMissing();
        string clip = SharedData.Path("media", "clips", "tears_of_steel_cuts_360p.mp4");
        Skip.IfNot(File.Exists(clip), $"{clip} is not here (shared materials)");
        var frames = MediaTools.DecodeFrames(clip, "rgb24", 640, 360);
        var detector = new SceneCutDetector();
        var cuts = new List<int>();
        var differences = new List<(int Frame, double Difference)>();
        for (int i = 0; i < frames.Count; i++)
        {
            if (detector.IsCut(frames[i], 640, 360)) cuts.Add(i);
            differences.Add((i, detector.LastDifference));
        }
        _log.WriteLine("largest differences: " + string.Join(", ", differences.OrderByDescending(d => d.Difference).Take(10).Select(d => $"{d.Frame}: {d.Difference:F3}")));
        // ffmpeg's scene score puts the cuts at frames 21, 65 and 185 (0.47-0.60) and nothing else above 0.33.
        Assert.Equal(new[] { 21, 65, 185 }, cuts);
    }

    [SkippableFact]
    public void AContinuousShotHasNoCut()
    {
        MediaTools.SkipIfMissing();
        string clip = SharedData.Path("media", "clips", "juggle_fullbody_720p.mp4");
        Skip.IfNot(File.Exists(clip), $"{clip} is not here (shared materials)");
        var frames = MediaTools.DecodeFrames(clip, "rgb24", 320, 180, filter: "scale=320:180");
        var detector = new SceneCutDetector();
        double worst = 0;
        foreach (var frame in frames)
        {
            Assert.False(detector.IsCut(frame, 320, 180));
            worst = Math.Max(worst, detector.LastDifference);
        }
        _log.WriteLine($"largest difference {worst:F3} over {frames.Count} frames");
    }

    [SkippableFact]
    public void LiveMatterResetsTheStateAtACutUnlessToldNotTo()
    {
        MediaTools.SkipIfMissing();
        string clip = SharedData.Path("media", "clips", "tears_of_steel_cuts_360p.mp4");
        Skip.IfNot(File.Exists(clip), $"{clip} is not here (shared materials)");
        var frames = MediaTools.DecodeFrames(clip, "rgb24", 160, 90, filter: "scale=160:90").Skip(14).Take(16).ToList(); // the cut at 21
        foreach (bool reset in new[] { true, false })
        {
            using var done = new SemaphoreSlim(0);
            using var live = LiveMatter.Start(new LiveMatterOptions { ResetOnSceneCut = reset, MaxLatency = TimeSpan.FromSeconds(5), Matting = new() { Threads = 1, DownsampleRatio = 1 } },
                _ => done.Release());
            foreach (var frame in frames)
            {
                live.Submit(frame, 160, 90);
                Assert.True(done.Wait(TimeSpan.FromSeconds(60)), "no frame came out");
            }
            live.Stop();
            Assert.Equal(16, live.Stats.FramesOut);
            Assert.Equal(reset ? 1 : 0, live.Stats.SceneCuts);
        }
    }
}
