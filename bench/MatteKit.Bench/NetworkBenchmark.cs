using System.Diagnostics;
using MatteKit.Inference;

namespace MatteKit.Bench;

/// <summary>
/// Network speed: MatteKit against the official ONNX export on the same ONNX Runtime, same frames, same
/// threads, in one process, taking turns in blocks, so their ratio holds even on a busy machine. Medians over
/// the timed frames; each block starts with untimed warm-up frames. Frames run in clip order, states carried.
/// </summary>
internal static class NetworkBenchmark
{
    private const int BlockFrames = 10;

    private sealed record Setting(int Width, int Height, double Ratio, string Clip);

    public static void Run(string shared, int frames, int warmup, int[] threadCounts, int[]? heights = null)
    {
        var clips = Path.Combine(shared, "media", "clips");
        var official = Path.Combine(shared, "models", "rvm_mobilenetv3_fp32.onnx");
        var settings = new[]
        {
            new Setting(512, 288, 1.0, "talking_head_gesture_720p.mp4"),
            new Setting(1280, 720, 0.375, "coffee_torso_hands_720p.mp4"),
            new Setting(1920, 1080, 0.25, "over_shoulder_laptop_1080p.mp4"),
            // No 4K clip is shared: the 1080p clip upscaled.
            new Setting(3840, 2160, 0.125, "over_shoulder_laptop_1080p.mp4"),
        }.Where(s => heights is null || heights.Contains(s.Height)).ToArray();
        var (peakPerCore, assumption) = CpuPeak.Detect();
        Console.WriteLine($"Network: median ms/frame over {frames} timed frames, engines alternating in blocks of {BlockFrames} after {warmup} warm-up frames each, state carried; peak: {assumption}");
        Console.WriteLine("MatteKit ms: float results (VideoMatter.Process); bytes out: 8-bit foreground and alpha made in the network, as `convert` runs it.");
        Console.WriteLine("| input | ratio | threads | MatteKit ms | fps | official export ms | MatteKit / official | bytes out ms | bytes out / official | GFLOP/s | % peak | alloc B/frame |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var s in settings)
        {
            var input = ClipFrames.Decode(Path.Combine(clips, s.Clip), s.Width, s.Height, frames + warmup);
            foreach (int threads in threadCounts)
            {
                // The engines take turns in blocks (each block: `warmup` untimed frames, then up to BlockFrames timed),
                // so load from elsewhere on the machine hits both alike. Blocks rather than single frames: right after
                // the other engine ran, caches are cold and its idle workers may still spin, which measured up to
                // 1.2x slower for whichever engine came second.
                using var matter = VideoMatter.Load(options: new MatterOptions { Threads = threads });
                using var byteMatter = VideoMatter.Load(options: new MatterOptions { Threads = threads });
                using var baseline = File.Exists(official) ? new OfficialOnnxBaseline(official, s.Width, s.Height, s.Ratio, threads) : null;
                var ours = new List<double>();
                var theirs = new List<double>();
                var ourBytes = new List<double>();
                long allocated = 0;
                int ourNext = 0, theirNext = 0, bytesNext = 0;
                while (ours.Count < frames)
                {
                    int timed = Math.Min(BlockFrames, frames - ours.Count);
                    for (int k = 0; k < warmup + timed; k++, ourNext++)
                    {
                        var frame = input[ourNext % input.Count];
                        long before = GC.GetAllocatedBytesForCurrentThread();
                        var t = Stopwatch.GetTimestamp();
                        matter.Process(frame, s.Width, s.Height, s.Ratio);
                        double ms = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
                        if (k < warmup) continue;
                        ours.Add(ms);
                        allocated += GC.GetAllocatedBytesForCurrentThread() - before;
                    }
                    for (int k = 0; k < warmup + timed; k++, bytesNext++)
                    {
                        var frame = input[bytesNext % input.Count];
                        var t = Stopwatch.GetTimestamp();
                        byteMatter.ProcessChunkToBytes(frame, 1, s.Width, s.Height, s.Ratio);
                        if (k >= warmup) ourBytes.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                    }
                    if (baseline is null) continue;
                    for (int k = 0; k < warmup + timed; k++, theirNext++)
                    {
                        var planar = baseline.ToPlanar(input[theirNext % input.Count]);
                        var t = Stopwatch.GetTimestamp();
                        baseline.Run(planar);
                        if (k >= warmup) theirs.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                    }
                }
                double ourMs = Statistics.Median(ours);
                double gflops = 2.0 * matter.ConvMultiplyAdds / (ourMs * 1e6);
                double bytesMs = Statistics.Median(ourBytes);
                string officialText = "n/a", ratioText = "n/a", bytesRatioText = "n/a";
                if (baseline is not null)
                {
                    double theirMs = Statistics.Median(theirs);
                    officialText = $"{theirMs:F1}";
                    ratioText = $"{ourMs / theirMs:F2}x";
                    bytesRatioText = $"{bytesMs / theirMs:F2}x";
                }
                Console.WriteLine($"| {s.Width}x{s.Height} | {s.Ratio} | {threads} | {ourMs:F1} | {1000 / ourMs:F1} | {officialText} | {ratioText} | " +
                                  $"{bytesMs:F1} | {bytesRatioText} | " +
                                  $"{gflops:F1} | {100 * gflops / (peakPerCore * threads):F1} | {allocated / ours.Count} |");
            }
        }
        Console.WriteLine($"peak working set: {Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024)} MiB");
    }
}
