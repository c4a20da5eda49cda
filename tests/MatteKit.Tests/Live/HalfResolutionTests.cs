using MatteKit.Live;

namespace MatteKit.Tests.Live;

public sealed class HalfResolutionTests
{
    [Fact]
    public void ReduceAveragesEachTwoByTwoBlockAndEnlargeKeepsFlatAndSmoothPlanes()
    {
        const int w = 7, h = 5; // odd: the last column and row are left out of the blocks
        var rgb = new byte[w * h * 3];
        for (int i = 0; i < rgb.Length; i++) rgb[i] = (byte)(i * 37 % 251);
        var half = new byte[3 * 2 * 3];
        HalfResolution.Reduce(rgb, w, h, half);
        Assert.Equal((3, 2), HalfResolution.Size(w, h));
        for (int y = 0; y < 2; y++)
            for (int x = 0; x < 3; x++)
                for (int k = 0; k < 3; k++)
                {
                    int P(int yy, int xx) => rgb[(yy * w + xx) * 3 + k];
                    int expected = (P(2 * y, 2 * x) + P(2 * y, 2 * x + 1) + P(2 * y + 1, 2 * x) + P(2 * y + 1, 2 * x + 1) + 2) / 4;
                    Assert.Equal(expected, half[(y * 3 + x) * 3 + k]);
                }

        var flat = Enumerable.Repeat((byte)200, 32 * 18).ToArray();
        var full = new byte[64 * 36];
        HalfResolution.Enlarge(flat, 64, 36, full);
        Assert.All(full, v => Assert.Equal(200, v));

        // A horizontal ramp comes back as a ramp: within one level of the value at each pixel's centre.
        var ramp = new byte[32 * 18];
        for (int y = 0; y < 18; y++)
            for (int x = 0; x < 32; x++) ramp[y * 32 + x] = (byte)(x * 8);
        HalfResolution.Enlarge(ramp, 64, 36, full);
        for (int x = 1; x < 63; x++)
        {
            double source = Math.Clamp((x + 0.5) / 2 - 0.5, 0, 31) * 8;
            Assert.InRange(full[10 * 64 + x], source - 1, source + 1);
        }
    }

    [Fact]
    public async Task ACpuTooSlowForTheFrameAtAnyNetworkSizeMattesAtHalfSize()
    {
        int frames = 0;
        // A rate no CPU keeps up with: even the smallest network misses it, so the frame is matted at half size.
        using var live = LiveMatter.Start(new LiveMatterOptions { TargetFps = 1000, MaxLatency = TimeSpan.FromSeconds(5), Matting = new() { Threads = 1 } }, frame =>
        {
            Assert.Equal(320 * 240, frame.Alpha.Length);
            Assert.True(frame.Foreground.SequenceEqual(frame.Input), "at half size the foreground is the input's colour");
            frames++;
        });
        await live.Prepare(320, 240).WaitAsync(TimeSpan.FromSeconds(60));
        var rgb = new byte[320 * 240 * 3];
        for (int i = 0; i < rgb.Length; i++) rgb[i] = (byte)(i % 255);
        live.Submit(rgb, 320, 240);
        live.Stop();
        Assert.Equal(1, frames);
        Assert.True(live.Stats.MattedAtHalfSize);
        Assert.Equal(128, live.Stats.NetworkWidth);

        using var fast = LiveMatter.Start(new LiveMatterOptions { TargetFps = 1, Matting = new() { Threads = 1 } }, _ => { });
        await fast.Prepare(320, 240).WaitAsync(TimeSpan.FromSeconds(60));
        fast.Submit(rgb, 320, 240);
        fast.Stop();
        Assert.False(fast.Stats.MattedAtHalfSize);
    }
}
