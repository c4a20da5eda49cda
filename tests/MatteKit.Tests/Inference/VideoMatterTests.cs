using MatteKit.Inference;
using MatteKit.Tests.TestSupport;
using Xunit.Abstractions;

namespace MatteKit.Tests.Inference;

public sealed class VideoMatterTests
{
    private readonly ITestOutputHelper _log;

    public VideoMatterTests(ITestOutputHelper log) => _log = log;

    private static VideoMatter NewMatter() => VideoMatter.Load(TestWeights.Default, new MatterOptions { Threads = 2 });

    [Fact]
    public void RecurrentStateChangesTheResultAndResetRestoresTheFirstFrameExactly()
    {
        const int w = 160, h = 96;
        using var matter = NewMatter();
        var first = matter.Process(SyntheticFrames.Rgb24(w, h, 0), w, h, 1.0).Alpha.ToArray();
        for (int i = 1; i < 3; i++) matter.Process(SyntheticFrames.Rgb24(w, h, i), w, h, 1.0);
        var withHistory = matter.Process(SyntheticFrames.Rgb24(w, h, 3), w, h, 1.0).Alpha.ToArray();

        matter.Reset();
        var fromReset = matter.Process(SyntheticFrames.Rgb24(w, h, 3), w, h, 1.0).Alpha.ToArray();
        double diff = withHistory.Zip(fromReset, (a, b) => (double)Math.Abs(a - b)).Max();
        _log.WriteLine($"frame 3 after frames 0..2 vs from a reset state: max alpha difference {diff:E2}");
        Assert.True(diff > 1e-4, $"the state made no difference (max {diff:E2})");

        matter.Reset();
        var again = matter.Process(SyntheticFrames.Rgb24(w, h, 0), w, h, 1.0).Alpha.ToArray();
        Assert.Equal(first, again);
    }

    [Theory]
    [InlineData(1, 1, 1.0)]
    [InlineData(17, 9, 1.0)]
    [InlineData(9, 17, 1.0)]
    [InlineData(33, 65, 1.0)]
    [InlineData(2, 2, 0.5)]
    [InlineData(17, 9, 0.25)]
    [InlineData(101, 203, 0.7)]
    [InlineData(640, 360, null)]
    public void AnyFrameSizeRuns(int width, int height, double? ratio)
    {
        using var matter = NewMatter();
        for (int i = 0; i < 2; i++)
        {
            var result = matter.Process(SyntheticFrames.Rgb24(width, height, i), width, height, ratio);
            Assert.Equal(width * height, result.Alpha.Length);
            Assert.Equal(3 * width * height, result.Foreground.Length);
            foreach (var a in result.Alpha) Assert.InRange(a, 0f, 1f);
            foreach (var f in result.Foreground) Assert.InRange(f, 0f, 1f);
        }
    }

    [Fact]
    public void AutoRatioKeepsTheLongerSideNear512()
    {
        Assert.Equal(512.0 / 1920, MatteKit.Rvm.RvmGeometry.AutoRatio(1920, 1080));
        Assert.Equal(512.0 / 1280, MatteKit.Rvm.RvmGeometry.AutoRatio(720, 1280));
        Assert.Equal(1.0, MatteKit.Rvm.RvmGeometry.AutoRatio(320, 240));
        using var matter = NewMatter();
        var result = matter.Process(SyntheticFrames.Rgb24(1024, 576, 0), 1024, 576);
        Assert.Equal(0.5, result.DownsampleRatio);
        Assert.Equal(512, matter.CurrentGeometry!.NetworkWidth);
    }

    [Fact]
    public void FrameTooSmallForTheRatioIsAClearError()
    {
        using var matter = NewMatter();
        var ex = Assert.Throws<ArgumentException>(() => matter.Process(new byte[3], 1, 1, 0.5));
        // The same line as live's, with the least ratio that fits.
        Assert.Equal("downsample ratio 0.5 shrinks a 1x1 frame to nothing (0x0); at this size it must be at least 1", ex.Message);
        Assert.Throws<ArgumentException>(() => matter.Process(new byte[5], 1, 1, 1.0));
        Assert.Throws<ArgumentException>(() => matter.Process(new byte[3], 1, 1, 1.5));
    }

    [Fact]
    public void ChangingSizeStartsFromAFreshStateAndReusesSessions()
    {
        using var matter = NewMatter();
        var a0 = matter.Process(SyntheticFrames.Rgb24(64, 48, 0), 64, 48, 1.0).Alpha.ToArray();
        matter.Process(SyntheticFrames.Rgb24(32, 32, 0), 32, 32, 1.0);
        var a0Again = matter.Process(SyntheticFrames.Rgb24(64, 48, 0), 64, 48, 1.0).Alpha.ToArray();
        Assert.Equal(a0, a0Again);
    }

    [Fact]
    public void SteadyStateAllocatesNoFrameSizedBuffers()
    {
        const int w = 512, h = 288;
        using var matter = NewMatter();
        var frame = SyntheticFrames.Rgb24(w, h, 0);
        for (int i = 0; i < 3; i++) matter.Process(frame, w, h, 1.0);
        const int frames = 10;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < frames; i++) matter.Process(frame, w, h, 1.0);
        long perFrame = (GC.GetAllocatedBytesForCurrentThread() - before) / frames;
        _log.WriteLine($"managed bytes allocated per frame in steady state at {w}x{h}: {perFrame}");
        // One alpha plane alone is w*h*4 = 590 KB; what remains is ONNX Runtime's per-call bookkeeping.
        Assert.True(perFrame < 16 * 1024, $"{perFrame} bytes allocated per frame");
    }
}
