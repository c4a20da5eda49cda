using System.Diagnostics;
using System.Globalization;
using MatteKit.Compositing;
using MatteKit.Conversion;
using MatteKit.Inference;
using MatteKit.Media.Ffmpeg;

namespace MatteKit.Bench;

/// <summary>
/// <c>convert</c> mode. For the shared 720p and 1080p clips, in one run: (1) the concurrent pipeline,
/// (2) the same conversion with MatteKit's threads serialised (decode a frame, matte it, hand it to the encoders;
/// the ffmpeg encoder processes still run beside it), (3) stage by stage, strictly sequential: every frame decoded
/// into memory, then every frame matted, then each output encoded alone, one after the other, (4) inference alone
/// on frames decoded beforehand. Then a 2,000-frame input (a shared clip looped with ffmpeg, stream copy) through
/// the pipeline with the process's working set sampled every 100 frames.
/// Outputs per conversion: composition, alpha and foreground as H.264 MP4 (the official converter's set) with x264's
/// default veryfast preset; then the composition alone, at veryfast and at ultrafast, which shows how much of the
/// CPU the encoders take from inference. Ratios as in the network benchmark: 0.375 for 720p, 0.25 for 1080p.
/// fps "steady" counts from the first frame written to the last, leaving out model load and session creation;
/// "wall" is frames over the whole Converter.Run call.
/// Options: --shared DIR (default ../shared), --frames N (per clip, default 96), --long-frames N (default
/// 2000, 0 = skip), --threads N. Run the clips and the long run as two invocations (--long-frames 0, then
/// --frames 0) so that the long run's working set is not inflated by the sessions of the clip runs.
/// --seq-chunk A,B: instead of pipeline against sequential, the pipeline with A and with B frames per network call
/// (A B B A). --precision fp32,int8: instead, the pipeline with the official converter's outputs in float32 and in int8
/// (the shipped ranges), in mirrored order.
/// </summary>
internal static class ConvertBenchmark
{
    public static int Run(string[] args)
    {
        string shared = BenchArguments.Option(args, "--shared") ?? Environment.GetEnvironmentVariable("MATTEKIT_SHARED") ?? Path.GetFullPath("../shared");
        // --frames 0 skips the clips: run the long run in a process of its own so that its memory figures start clean.
        int frames = int.Parse(BenchArguments.Option(args, "--frames") ?? "96", CultureInfo.InvariantCulture);
        int longFrames = int.Parse(BenchArguments.Option(args, "--long-frames") ?? "2000", CultureInfo.InvariantCulture);
        int threads = int.Parse(BenchArguments.Option(args, "--threads") ?? "0", CultureInfo.InvariantCulture);
        var chunkLengths = BenchArguments.Option(args, "--seq-chunk")?.Split(',').Select(t => int.Parse(t, CultureInfo.InvariantCulture)).ToArray();
        bool precisions = BenchArguments.Option(args, "--precision") is { } p && (p == "fp32,int8" ? true : throw new ArgumentException($"--precision takes fp32,int8, got '{p}'"));
        var clips = new[] { "juggle_fullbody_720p.mp4", "over_shoulder_laptop_1080p.mp4" }
            .Select(c => Path.Combine(shared, "media", "clips", c)).ToArray();
        foreach (var c in clips)
            if (!File.Exists(c)) { Console.Error.WriteLine($"missing {c} (give --shared DIR)"); return 1; }

        Console.WriteLine($"# convert benchmark, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {frames} frames per clip, threads {(threads == 0 ? "default" : threads)}");
        // The machine may be shared: the load says how much of it this run had.
        if (File.Exists("/proc/loadavg")) Console.WriteLine($"load average at start: {File.ReadAllText("/proc/loadavg").Trim()}");
        if (frames > 0)
        {
            Console.WriteLine();
            Console.WriteLine("| clip | mode | frames | wall s | wall fps | steady fps | decode s | inference s | encode s |");
            Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        }
        var work = Directory.CreateTempSubdirectory("mattekit-bench-");
        try
        {
            foreach (var clip in frames > 0 ? clips : Array.Empty<string>())
            {
                var info = MediaProbe.Probe(clip);
                double duration = frames / info.FrameRate.PerSecond;
                double ratio = info.Height >= 1080 ? 0.25 : 0.375;
                // Each mode twice, in mirrored order (P S S P), so that a drift in the machine's load favours neither.
                if (precisions)
                {
                    foreach (bool int8 in new[] { false, true, true, false })
                    {
                        var (summary, steady) = Convert(clip, work.FullName, duration, ratio, threads, false, null, int8: int8);
                        Row(clip, $"pipeline, com+pha+fgr, veryfast, {(int8 ? "int8" : "fp32")}", summary, steady);
                    }
                }
                else if (chunkLengths is { Length: 2 })
                {
                    foreach (int t in new[] { chunkLengths[0], chunkLengths[1], chunkLengths[1], chunkLengths[0] })
                    {
                        var (summary, steady) = Convert(clip, work.FullName, duration, ratio, threads, false, null, t);
                        Row(clip, $"pipeline, seq-chunk {t}", summary, steady);
                    }
                }
                else
                {
                    foreach (var (outputs, preset) in new[] { ("com+pha+fgr", (string?)null), ("com", null), ("com", "ultrafast") })
                    {
                        foreach (bool sequential in new[] { false, true, true, false })
                        {
                            var (summary, steady) = Convert(clip, work.FullName, duration, ratio, threads, sequential, null,
                                allOutputs: outputs != "com", preset: preset);
                            Row(clip, $"{(sequential ? "sequential" : "pipeline")}, {outputs}, {preset ?? "veryfast"}", summary, steady);
                        }
                        var (total, decode, inference, encode) = StageByStage(clip, frames, ratio, threads, outputs != "com", preset, work.FullName);
                        Console.WriteLine($"| {Path.GetFileName(clip)} | stage by stage, {outputs}, {preset ?? "veryfast"} | {frames} | {total:F2} | {frames / total:F2} | " +
                                          $"{frames / total:F2} | {decode:F2} | {inference:F2} | {encode:F2} |");
                    }
                }
                var (count, seconds, steadyFps) = InferenceOnly(clip, frames, ratio, threads);
                Console.WriteLine($"| {Path.GetFileName(clip)} | ratio {ratio}: inference alone | {count} | {seconds:F2} | {count / seconds:F2} | {steadyFps:F2} | | {seconds:F2} | |");
            }
            if (frames > 0 && File.Exists("/proc/loadavg")) Console.WriteLine($"\nload average after the clips: {File.ReadAllText("/proc/loadavg").Trim()}");
            if (longFrames > 0) LongRun(Path.Combine(shared, "media", "clips", "hand_reach_defocus_360p.mp4"), longFrames, work.FullName, threads);
        }
        finally
        {
            work.Delete(recursive: true);
        }
        return 0;
    }

    private static (ConvertSummary Summary, double SteadyFps) Convert(string clip, string work, double? duration, double? ratio, int threads, bool sequential,
        Action<ConvertProgress>? onFrame, int seqChunk = 1, bool allOutputs = true, string? preset = null, bool int8 = false)
    {
        var outDir = Directory.CreateDirectory(Path.Combine(work, "run-" + Guid.NewGuid().ToString("N"))).FullName;
        var options = new ConvertOptions
        {
            Input = clip,
            OutputComposition = Path.Combine(outDir, "com.mp4"),
            OutputAlpha = allOutputs ? Path.Combine(outDir, "pha.mp4") : null,
            OutputForeground = allOutputs ? Path.Combine(outDir, "fgr.mp4") : null,
            H264Preset = preset,
            DurationSeconds = duration,
            Matting = new() { DownsampleRatio = ratio, Threads = threads, Int8 = int8 },
            Sequential = sequential,
            SeqChunk = seqChunk,
        };
        var clock = Stopwatch.StartNew();
        TimeSpan first = default, last = default;
        var progress = new SynchronousProgress(p =>
        {
            if (p.FramesDone == 1) first = clock.Elapsed;
            last = clock.Elapsed;
            onFrame?.Invoke(p);
        });
        var summary = Converter.Run(options, progress);
        Directory.Delete(outDir, recursive: true);
        return (summary, (summary.Frames - 1) / (last - first).TotalSeconds);
    }

    /// <summary>
    /// Strictly sequential: each stage over all the frames before the next starts, nothing overlapping: decode into
    /// memory, matte every frame (the model loaded and its session made before the clock starts, as the pipeline's
    /// steady fps leaves them out), then encode each output alone, the composition made from the 8-bit results.
    /// </summary>
    private static (double Total, double Decode, double Inference, double Encode) StageByStage(string clip, int frames, double ratio, int threads,
        bool allOutputs, string? preset, string work)
    {
        using var matter = VideoMatter.Load(options: new MatterOptions { Threads = threads, SpinWhileIdle = false });
        var clock = Stopwatch.StartNew();
        var (rgb, width, height) = DecodeAll(clip, frames);
        double decode = clock.Elapsed.TotalSeconds;

        matter.ProcessChunkToBytes(rgb[0], 1, width, height, ratio);
        matter.Reset();
        var alpha = new byte[rgb.Count][];
        var foreground = new byte[rgb.Count][];
        clock.Restart();
        for (int i = 0; i < rgb.Count; i++)
        {
            var result = matter.ProcessChunkToBytes(rgb[i], 1, width, height, ratio);
            alpha[i] = result.AlphaGray8.ToArray();
            foreground[i] = result.ForegroundRgb24.ToArray();
        }
        double inference = clock.Elapsed.TotalSeconds;

        var rate = MediaProbe.Probe(clip).FrameRate;
        var composition = new byte[width * height * 3];
        clock.Restart();
        foreach (var output in allOutputs ? new[] { "com", "pha", "fgr" } : new[] { "com" })
        {
            var path = Path.Combine(work, $"stages-{output}-{Guid.NewGuid():N}.mp4");
            var layout = output == "pha" ? PixelLayout.Gray8 : PixelLayout.Rgb24;
            var encoding = new VideoEncoding { Width = width, Height = height, Layout = layout, FrameRate = rate, H264Preset = preset };
            using (var encoder = new VideoEncoder(path, VideoContainer.ForPath(path)!, encoding))
            {
                for (int i = 0; i < rgb.Count; i++)
                {
                    if (output == "com") Compositor.OverColor(foreground[i], alpha[i], RgbColor.Green, composition);
                    encoder.Write(output == "com" ? composition : output == "pha" ? alpha[i] : foreground[i]);
                }
                encoder.Complete();
            }
            File.Delete(path);
        }
        return (decode + inference + clock.Elapsed.TotalSeconds, decode, inference, clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// The network alone, as the converter runs it (8-bit results), on frames decoded into memory first; the first
    /// call (session creation) is left out of steady fps.
    /// </summary>
    private static (int Count, double Seconds, double SteadyFps) InferenceOnly(string clip, int frames, double ratio, int threads)
    {
        var (decoded, width, height) = DecodeAll(clip, frames);
        // The same session settings as the converter uses, so that only the I/O around inference differs.
        using var matter = VideoMatter.Load(options: new MatterOptions { Threads = threads, SpinWhileIdle = false });
        var clock = Stopwatch.StartNew();
        TimeSpan afterFirst = default;
        for (int i = 0; i < decoded.Count; i++)
        {
            matter.ProcessChunkToBytes(decoded[i], 1, width, height, ratio);
            if (i == 0) afterFirst = clock.Elapsed;
        }
        var total = clock.Elapsed;
        return (decoded.Count, total.TotalSeconds, (decoded.Count - 1) / (total - afterFirst).TotalSeconds);
    }

    /// <summary>The first <paramref name="frames"/> frames of the clip as RGB24, each in an array of its own.</summary>
    private static (List<byte[]> Frames, int Width, int Height) DecodeAll(string clip, int frames)
    {
        var decoded = new List<byte[]>();
        int width = 0, height = 0;
        using var decoder = VideoDecoder.Open(clip, maxFrames: frames);
        var buffer = Array.Empty<byte>();
        while (decoded.Count < frames && decoder.ReadFrame(ref buffer, out width, out height))
            decoded.Add(buffer.AsSpan(0, width * height * 3).ToArray());
        return (decoded, width, height);
    }

    private static void LongRun(string clip, int frames, string work, int threads)
    {
        var looped = Path.Combine(work, "looped.mp4");
        var info = MediaProbe.Probe(clip);
        int loops = (int)Math.Ceiling(frames / (double)Math.Max(1, info.FrameCount));
        using (var ffmpeg = Process.Start(FfmpegTools.Ffmpeg, new[]
               {
                   "-nostdin", "-v", "error", "-y", "-stream_loop", (loops - 1).ToString(CultureInfo.InvariantCulture), "-i", clip,
                   "-map", "0:v:0", "-c", "copy", "-frames:v", frames.ToString(CultureInfo.InvariantCulture), looped,
               }))
        {
            ffmpeg.WaitForExit();
            if (ffmpeg.ExitCode != 0) throw new InvalidOperationException("ffmpeg could not loop " + clip);
        }
        Console.WriteLine();
        Console.WriteLine($"## {frames}-frame run: {Path.GetFileName(clip)} looped {loops}x ({info.Width}x{info.Height}), pipeline, three MP4 outputs");
        Console.WriteLine();
        Console.WriteLine("| frames done | working set MiB | managed heap MiB |");
        Console.WriteLine("| --- | --- | --- |");
        var self = Process.GetCurrentProcess();
        var (summary, steady) = Convert(looped, work, null, null, threads, sequential: false, p =>
        {
            if (p.FramesDone % 250 != 0 && p.FramesDone != 1) return;
            self.Refresh();
            Console.WriteLine($"| {p.FramesDone} | {self.WorkingSet64 / 1048576.0:F0} | {GC.GetTotalMemory(false) / 1048576.0:F0} |");
        });
        self.Refresh();
        Console.WriteLine();
        Console.WriteLine($"{summary.Frames} frames in {summary.Total.TotalSeconds:F1} s ({summary.Frames / summary.Total.TotalSeconds:F2} fps wall, {steady:F2} steady); " +
            $"peak working set {self.PeakWorkingSet64 / 1048576.0:F0} MiB (this process; the ffmpeg children are separate processes)");
    }

    private static void Row(string clip, string mode, ConvertSummary s, double steady)
        => Console.WriteLine($"| {Path.GetFileName(clip)} | {mode} | {s.Frames} | {s.Total.TotalSeconds:F2} | {s.Frames / s.Total.TotalSeconds:F2} | {steady:F2} | " +
            $"{s.Decode.TotalSeconds:F2} | {s.Inference.TotalSeconds:F2} | {s.Encode.TotalSeconds:F2} |");
}
