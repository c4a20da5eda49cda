using MatteKit.Conversion;
using MatteKit.Live;

namespace MatteKit.Tests.Live;

/// <summary>The library's live API: the newest frame wins, every frame is counted, the state is kept and reset on request.</summary>
public sealed class LiveMatterTests
{
    [Fact]
    public void SlowHandlerDropsFramesInsteadOfQueueingThem()
    {
        var sources = new List<long>();
        using var live = LiveMatter.Start(new LiveMatterOptions { MaxLatency = TimeSpan.FromSeconds(5), Matting = new() { Threads = 1 } }, frame =>
        {
            sources.Add(frame.SourceIndex);
            Assert.Equal(64 * 48, frame.Alpha.Length);
            Assert.Equal(64 * 48 * 3, frame.Composition.Length);
            Thread.Sleep(60); // a handler slower than the frames arrive
        });
        live.Prepare(64, 48);
        var frame = new byte[64 * 48 * 3];
        for (int i = 0; i < 40; i++)
        {
            frame[0] = (byte)i;
            live.Submit(frame, 64, 48);
            Thread.Sleep(10);
        }
        live.Stop();
        var stats = live.Stats;
        Assert.Equal(40, stats.FramesIn);
        Assert.Equal(stats.FramesIn, stats.FramesOut + stats.Dropped);
        Assert.True(stats.Dropped > 10, $"{stats.Dropped} dropped of 40");
        Assert.Equal(stats.FramesOut, sources.Count);
        Assert.True(sources.Zip(sources.Skip(1)).All(p => p.Second > p.First), "frames out of order");
        // The frame still waiting at Stop is matted: the last one submitted comes out.
        Assert.Equal(39, sources[^1]);
        // One frame waits at most: no frame waited much longer than one handler call (60 ms) plus the network.
        Assert.True(stats.LatencyMaxMs < 1000, $"max latency {stats.LatencyMaxMs} ms");
    }

    [Fact]
    public void ResetAndOptionsAreChecked()
    {
        Assert.Throws<ArgumentException>(() => LiveMatter.Start(new LiveMatterOptions { Matting = new() { DownsampleRatio = 1.5 } }, _ => { }));
        Assert.Throws<ArgumentException>(() => LiveMatter.Start(new LiveMatterOptions { MaxLatency = TimeSpan.Zero }, _ => { }));
        Assert.Throws<ArgumentException>(() => LiveMatter.Start(new LiveMatterOptions { Background = Background.Parse("blur:0") }, _ => { }));
        int frames = 0;
        using var live = LiveMatter.Start(new LiveMatterOptions { MaxLatency = TimeSpan.FromSeconds(5), Matting = new() { Threads = 1 } }, _ => frames++);
        live.Reset();
        live.Submit(new byte[32 * 32 * 3], 32, 32);
        live.Stop();
        Assert.Equal(1, frames);
        Assert.Equal(1, live.Stats.Resets);
        Assert.Throws<ArgumentException>(() => live.SetBackground(Background.Transparent));
        Assert.Equal(0.5 , LiveMatterOptions.AutoRatio(640, 360));
        Assert.Equal(0.25, LiveMatterOptions.AutoRatio(1280, 720));
    }

    [Fact]
    public async Task ARatioSetBeforeTheFirstFrameIsTakenAndCheckedAgainstThatFrame()
    {
        using (var live = LiveMatter.Start(new LiveMatterOptions { MaxLatency = TimeSpan.FromSeconds(5), Matting = new() { Threads = 1 } }, _ => { }))
        {
            live.SetDownsampleRatio(0.5); // no frame yet: kept for the first frame's session
            await live.Prepare(64, 48).WaitAsync(TimeSpan.FromSeconds(60));
            live.Submit(new byte[64 * 48 * 3], 64, 48);
            live.Stop();
            Assert.Equal(1, live.Stats.FramesOut);
            Assert.Equal(0.5, live.Stats.DownsampleRatio);
        }
        using (var live = LiveMatter.Start(new LiveMatterOptions { MaxLatency = TimeSpan.FromSeconds(5), Matting = new() { Threads = 1 } }, _ => { }))
        {
            live.SetDownsampleRatio(0.01); // fits nothing yet known
            var e = Assert.Throws<ArgumentException>(() => live.Submit(new byte[64 * 48 * 3], 64, 48));
            Assert.Contains("downsample ratio 0.01 shrinks a 64x48 frame to nothing", e.Message);
        }
    }

    [Fact]
    public async Task ARatioChangeIsBuiltBesideTheRunningSessionAndSwappedInWhileFramesFlow()
    {
        var ratios = new List<double>();
        using var live = LiveMatter.Start(new LiveMatterOptions { MaxLatency = TimeSpan.FromSeconds(5), Matting = new() { Threads = 1, DownsampleRatio = 1 } }, _ => { });
        await live.Prepare(64, 48).WaitAsync(TimeSpan.FromSeconds(60));
        var frame = new byte[64 * 48 * 3];
        live.Submit(frame, 64, 48);
        live.SetDownsampleRatio(0.5);
        Assert.Equal(0.5, live.DownsampleRatio);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (live.Stats.RatioChanges == 0 && DateTime.UtcNow < deadline)
        {
            live.Submit(frame, 64, 48);
            ratios.Add(live.Stats.DownsampleRatio);
            Thread.Sleep(20);
        }
        live.Submit(frame, 64, 48);
        live.Stop();
        var stats = live.Stats;
        Assert.Equal(1, stats.RatioChanges);
        Assert.Equal(0.5, stats.DownsampleRatio);
        Assert.Equal(32, stats.NetworkWidth);
        // Until the swap the running session kept its own ratio.
        Assert.All(ratios.Where(r => r != 0 && r != 0.5), r => Assert.Equal(1, r));
        Assert.Throws<ArgumentException>(() => live.SetDownsampleRatio(0));
    }
}
