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

    /// <summary>
    /// The edge controls changed while frames flow (<see cref="LiveMatter.SetAlphaEdges"/>): taken from the next frame on,
    /// equal to the same controls applied to the frame's alpha; out of bounds, or asked of a session that mattes at half
    /// the frame's size (the controls are in the frame's pixels), refused.
    /// </summary>
    [Fact]
    public async Task EdgeControlsChangeFromTheNextFrameAndAHalvedSessionRefusesThem()
    {
        var person = global::MatteKit.Media.PngFile.ReadRgb(Path.Combine(global::MatteKit.Tests.TestSupport.SharedData.RepoRoot, "samples", "astronaut.png"));
        var rgb = global::MatteKit.Media.BilinearResize.Rgb(person, 160, 160).Pixels;
        var alphas = new List<byte[]>();
        using (var live = LiveMatter.Start(new LiveMatterOptions { TargetFps = 1, Matting = new() { Threads = 1, DownsampleRatio = 0.5 } }, f => alphas.Add(f.Alpha.ToArray())))
        {
            await live.Prepare(160, 160).WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Null(live.AlphaEdges);
            live.Submit(rgb, 160, 160);
            while (live.Stats.FramesOut < 1) await Task.Delay(20);
            live.Reset();
            live.SetAlphaEdges(3, 1.5f, 0.05f, 0.9f);
            Assert.Equal("alpha edges: levels 0.05:0.9, choke 3 px, feather 1.5 px", live.AlphaEdges);
            live.Submit(rgb, 160, 160);
            live.Stop();
            Assert.Throws<ArgumentException>(() => live.SetAlphaEdges(65, 0, 0, 1));
        }
        Assert.Equal(2, alphas.Count);
        // The same frame from a reset state: the second is the first with the controls applied.
        var expected = alphas[0].ToArray();
        new global::MatteKit.Compositing.AlphaEdges(3, 1.5f, 0.05f, 0.9f).Apply(expected, 160, 160);
        Assert.Equal(expected, alphas[1]);
        Assert.NotEqual(alphas[0], alphas[1]);

        using var halved = LiveMatter.Start(new LiveMatterOptions { TargetFps = 1000, MaxLatency = TimeSpan.FromSeconds(5), Matting = new() { Threads = 1 } }, _ => { });
        await halved.Prepare(320, 240).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(halved.Stats.MattedAtHalfSize);
        var e = Assert.Throws<InvalidOperationException>(() => halved.SetAlphaEdges(2, 0, 0, 1));
        Assert.Contains("half the frame's size", e.Message);
        halved.SetAlphaEdges(0, 0, 0, 1); // none: nothing to refuse
        // At a fixed ratio too: the default, asked for again, would halve the frames once more.
        halved.SetDownsampleRatio(0.5);
        Assert.Throws<InvalidOperationException>(() => halved.SetAlphaEdges(2, 0, 0, 1));
    }
}
