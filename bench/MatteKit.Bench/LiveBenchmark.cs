using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using MatteKit.Inference;
using MatteKit.Live;

namespace MatteKit.Bench;

/// <summary>
/// <c>live</c> mode: what <c>mattekit live</c> does with a 30 fps source played at its own rate (<c>--realtime</c>),
/// for a 640x360 and a 1280x720 source made by ffmpeg from a shared clip, each for <c>--seconds</c> (default 30),
/// with the composition written to an H.264 .mkv: fps out, dropped %, latency p50/p95/max, network ms a frame and
/// the CPU taken (this process and its ffmpeg children, from getrusage) as a share of all cores.
/// In the same run, as the baseline: the network alone on decoded frames at the same size and the ratio the live
/// session ended with, one frame after the other with nothing beside it (workers spinning and not), so the live
/// figure reads against it. The ratio is the live default (timed for this CPU at start, lowered under load)
/// unless --downsample-ratio fixes it.
/// With <c>--precision fp32,int8</c> each source runs once per precision, one after the other (int8: the embedded model's
/// shipped ranges, as <c>mattekit live --precision int8</c>), each with its own start-up search of the network side.
/// Options: --shared DIR, --seconds S, --threads N (default 2), --sizes 640x360,1280x720, --max-latency-ms MS,
/// --downsample-ratio R, --precision fp32[,int8] (default fp32).
/// </summary>
internal static class LiveBenchmark
{
    public static int Run(string[] args, string defaultShared)
    {
        string shared = BenchArguments.Option(args, "--shared") ?? defaultShared;
        double seconds = double.Parse(BenchArguments.Option(args, "--seconds") ?? "30", CultureInfo.InvariantCulture);
        int threads = int.Parse(BenchArguments.Option(args, "--threads") ?? "2", CultureInfo.InvariantCulture);
        double? maxLatency = BenchArguments.Option(args, "--max-latency-ms") is { } ms ? double.Parse(ms, CultureInfo.InvariantCulture) : null;
        double? fixedRatio = BenchArguments.Option(args, "--downsample-ratio") is { } r ? double.Parse(r, CultureInfo.InvariantCulture) : null;
        var sizes = (BenchArguments.Option(args, "--sizes") ?? "640x360,1280x720").Split(',')
            .Select(s => s.Split('x')).Select(p => (W: int.Parse(p[0], CultureInfo.InvariantCulture), H: int.Parse(p[1], CultureInfo.InvariantCulture))).ToArray();
        var int8s = (BenchArguments.Option(args, "--precision") ?? "fp32").Split(',').Select(p => p switch
        {
            "fp32" => false,
            "int8" => true,
            _ => throw new ArgumentException($"--precision: fp32 or int8, got '{p}'"),
        }).ToArray();
        string clip = Path.Combine(shared, "media", "clips", "talking_head_gesture_720p.mp4");
        if (!File.Exists(clip)) { Console.Error.WriteLine($"missing {clip} (give --shared DIR)"); return 1; }

        Console.WriteLine($"# live benchmark, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {seconds:0} s per source at 30 fps, {threads} threads");
        if (File.Exists("/proc/loadavg")) Console.WriteLine($"load average at start: {File.ReadAllText("/proc/loadavg").Trim()}");
        if (args.Contains("--quality")) return Quality(shared, threads);
        var work = Directory.CreateTempSubdirectory("mattekit-bench-live-");
        try
        {
            Console.WriteLine();
            Console.WriteLine("| source | precision | matted at | ratio at the end (network) | ratio changes | network alone, spinning / not, ms | live network ms | frames in | out | fps out | dropped | p50 ms | p95 ms | max ms | CPU % of all cores |");
            Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
            foreach (var (w, h) in sizes)
            {
                string source = Path.Combine(work.FullName, $"source_{w}x{h}.mp4");
                MakeSource(clip, source, w, h, seconds + 2);
                foreach (bool int8 in int8s)
                {
                    var (stats, cpu) = Live(source, Path.Combine(work.FullName, $"out_{w}x{h}.mkv"), seconds, threads, maxLatency, fixedRatio, int8);
                    double ratio = stats.DownsampleRatio;
                    var (mw, mh) = stats.MattedAtHalfSize ? HalfResolution.Size(w, h) : (w, h);
                    double spinning = NetworkAlone(clip, mw, mh, ratio, threads, spin: true, int8);
                    double quiet = NetworkAlone(clip, mw, mh, ratio, threads, spin: false, int8);
                    Console.WriteLine($"| {w}x{h} | {(int8 ? "int8" : "fp32")} | {mw}x{mh} | {ratio:0.###} ({stats.NetworkWidth}x{stats.NetworkHeight}) | {stats.RatioChanges} | {spinning:F1} / {quiet:F1} | {stats.NetworkMs:F1} | " +
                                      $"{stats.FramesIn} | {stats.FramesOut} | {stats.FpsOut:F1} | {100.0 * stats.Dropped / Math.Max(1, stats.FramesIn):F1}% | " +
                                      $"{stats.LatencyP50Ms:F0} | {stats.LatencyP95Ms:F0} | {stats.LatencyMaxMs:F0} | {cpu:F0} |");
                }
            }
        }
        finally
        {
            work.Delete(recursive: true);
        }
        return 0;
    }

    private static (LiveStats Stats, double CpuPercent) Live(string source, string output, double seconds, int threads, double? maxLatency, double? ratio, bool int8)
    {
        var options = new LiveSessionOptions
        {
            Input = source,
            Realtime = true,
            Outputs = new[] { output },
            Duration = TimeSpan.FromSeconds(seconds),
            Matter = new LiveMatterOptions
            {
                Matting = new() { Threads = threads, DownsampleRatio = ratio, Int8 = int8 },
                MaxLatency = maxLatency is { } ms ? TimeSpan.FromMilliseconds(ms) : LiveMatterOptions.DefaultMaxLatency,
            },
        };
        var cpuBefore = CpuSeconds();
        var clock = Stopwatch.StartNew();
        var stats = LiveSession.Run(options, log: null, viewer: null, started: null, CancellationToken.None);
        double wall = clock.Elapsed.TotalSeconds;
        double cpu = CpuSeconds() - cpuBefore;
        return (stats, 100 * cpu / wall / Environment.ProcessorCount);
    }

    /// <summary>
    /// What matting at half size costs in quality, on 60 frames of the shared 720p juggling clip: the alpha at the
    /// live path's smallest network (128x72) matted at full size, and at half size enlarged back, each against
    /// convert's default (network side 512) as the reference; MAD x1e3 (frames in order, state carried).
    /// </summary>
    private static int Quality(string shared, int threads)
    {
        string clip = Path.Combine(shared, "media", "clips", "juggle_fullbody_720p.mp4");
        var frames = ClipFrames.Decode(clip, 1280, 720, 60);
        var (hw, hh) = HalfResolution.Size(1280, 720);
        using var reference = VideoMatter.Load(options: new MatterOptions { Threads = threads });
        using var full = VideoMatter.Load(options: new MatterOptions { Threads = threads });
        using var half = VideoMatter.Load(options: new MatterOptions { Threads = threads });
        var small = new byte[hw * hh * 3];
        var enlarged = new byte[1280 * 720];
        double fullMad = 0, halfMad = 0, between = 0;
        foreach (var frame in frames)
        {
            var truth = reference.ProcessChunkToBytes(frame, 1, 1280, 720, null).AlphaGray8.ToArray();
            var a = full.ProcessChunkToBytes(frame, 1, 1280, 720, 128.0 / 1280).AlphaGray8.ToArray();
            HalfResolution.Reduce(frame, 1280, 720, small);
            HalfResolution.Enlarge(half.ProcessChunkToBytes(small, 1, hw, hh, 128.0 / hw).AlphaGray8, 1280, 720, enlarged);
            fullMad += Mad(a, truth);
            halfMad += Mad(enlarged, truth);
            between += Mad(a, enlarged);
        }
        int n = frames.Count;
        Console.WriteLine($"# half-size matting, {n} frames of {Path.GetFileName(clip)} at 1280x720, MAD x1e3 against convert's default (network 512x288)");
        Console.WriteLine("| path | MAD |");
        Console.WriteLine("| --- | --- |");
        Console.WriteLine($"| full size, network 128x72 | {fullMad / n:F2} |");
        Console.WriteLine($"| half size, network 128x72, alpha enlarged | {halfMad / n:F2} |");
        Console.WriteLine($"| the two against each other | {between / n:F2} |");
        PrecisionAtLiveSizes(shared, threads);
        return 0;
    }

    /// <summary>
    /// What the live network side costs in quality with each precision, at 640x360 on 60 frames of the same clip: each
    /// side (the sides the start-up search chooses between) in float32 and in int8 (shipped ranges), against convert's
    /// default (float32, network side 512); MAD x1e3, frames in order, state carried. Read with the sides the search
    /// chose (performance.md): whether int8 at its larger side beats float32 at its own.
    /// </summary>
    private static void PrecisionAtLiveSizes(string shared, int threads)
    {
        const int width = 640, height = 360;
        string clip = Path.Combine(shared, "media", "clips", "juggle_fullbody_720p.mp4");
        var frames = ClipFrames.Decode(clip, width, height, 60);
        using var reference = VideoMatter.Load(options: new MatterOptions { Threads = threads });
        var truth = frames.Select(f => reference.ProcessChunkToBytes(f, 1, width, height, null).AlphaGray8.ToArray()).ToList();
        Console.WriteLine($"# live sides at {width}x{height}, {frames.Count} frames of {Path.GetFileName(clip)}, MAD x1e3 against convert's default (float32, network 512x288)");
        Console.WriteLine("| network | float32 | int8 |");
        Console.WriteLine("| --- | --- | --- |");
        foreach (int side in new[] { 128, 160, 192, 224, 256, 288, 320 })
        {
            var mad = new double[2];
            for (int p = 0; p < 2; p++)
            {
                using var matter = VideoMatter.Load(options: new MatterOptions { Threads = threads, Int8Ranges = p == 1 ? EmbeddedInt8Ranges.Load() : null });
                for (int i = 0; i < frames.Count; i++)
                    mad[p] += Mad(matter.ProcessChunkToBytes(frames[i], 1, width, height, (double)side / width).AlphaGray8, truth[i]) / frames.Count;
            }
            Console.WriteLine($"| {side}x{(int)Math.Floor(height * (double)side / width)} | {mad[0]:F2} | {mad[1]:F2} |");
        }
    }

    private static double Mad(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        long sum = 0;
        for (int i = 0; i < a.Length; i++) sum += Math.Abs(a[i] - b[i]);
        return 1e3 * sum / (255.0 * a.Length);
    }

    /// <summary>The network on decoded frames, one after the other: the median ms a frame over 60 after 5 untimed.</summary>
    private static double NetworkAlone(string clip, int width, int height, double ratio, int threads, bool spin, bool int8)
    {
        var frames = ClipFrames.Decode(clip, width, height, 30);
        using var matter = VideoMatter.Load(options: new MatterOptions { Threads = threads, SpinWhileIdle = spin, Int8Ranges = int8 ? EmbeddedInt8Ranges.Load() : null });
        var times = new List<double>();
        for (int i = 0; i < 65; i++)
        {
            long t = Stopwatch.GetTimestamp();
            matter.ProcessChunkToBytes(frames[i % frames.Count], 1, width, height, ratio);
            if (i >= 5) times.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
        }
        return Statistics.Median(times);
    }

    private static void MakeSource(string clip, string path, int width, int height, double seconds)
    {
        var psi = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-v", "error", "-y", "-stream_loop", "-1", "-i", clip, "-t", seconds.ToString(CultureInfo.InvariantCulture),
                     "-vf", $"scale={width}:{height},fps=30", "-an", "-c:v", "libx264", "-preset", "veryfast", "-g", "30", path })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("ffmpeg could not be started");
        string error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"ffmpeg could not make {path}: {error.Trim()}");
    }

    /// <summary>User and system time of this process and of its children that have ended (the ffmpeg processes).</summary>
    private static double CpuSeconds()
    {
        double self = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        if (!OperatingSystem.IsLinux()) return self;
        var usage = new long[18];
        if (getrusage(-1 /* RUSAGE_CHILDREN */, usage) != 0) return self;
        // struct rusage starts with two struct timeval (seconds, microseconds): user time, then system time.
        return self + usage[0] + usage[1] / 1e6 + usage[2] + usage[3] / 1e6;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int getrusage(int who, long[] usage);
}
