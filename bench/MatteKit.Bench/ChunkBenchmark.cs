using System.Diagnostics;
using MatteKit.Inference;

namespace MatteKit.Bench;

/// <summary>
/// Frames per network call (seq_chunk T) against one frame per call, same frames, same threads, one process. The
/// chunk lengths take turns on each group of frames (a group is as long as the longest chunk), so load from
/// elsewhere on the machine hits them alike; ms/frame is the group's time over its frames, median over groups
/// after warm-up.
/// </summary>
internal static class ChunkBenchmark
{
    private sealed record Setting(int Width, int Height, double Ratio, string Clip);

    public static void Run(string shared, int groups, int warmup, int[] threadCounts, int[] chunkLengths, bool spin)
    {
        var clips = Path.Combine(shared, "media", "clips");
        var settings = new[]
        {
            new Setting(512, 288, 1.0, "talking_head_gesture_720p.mp4"),
            new Setting(1280, 720, 0.375, "coffee_torso_hands_720p.mp4"),
            new Setting(1920, 1080, 0.25, "over_shoulder_laptop_1080p.mp4"),
        };
        int groupLength = chunkLengths.Max();
        if (chunkLengths.Any(t => groupLength % t != 0))
            throw new ArgumentException($"chunk lengths {string.Join(",", chunkLengths)} must divide the longest");
        Console.WriteLine($"Frames per call: median ms/frame over {groups} groups of {groupLength} frames after {warmup} warm-up groups, " +
                          $"state carried, lengths taking turns; ORT workers {(spin ? "spinning" : "not spinning")} while idle");
        Console.WriteLine("| input | ratio | threads | " + string.Join(" | ", chunkLengths.Select(t => $"T={t} ms/frame")) + " | " +
                          string.Join(" | ", chunkLengths.Skip(1).Select(t => $"T={t} / T={chunkLengths[0]}")) + " |");
        Console.WriteLine("|---|---|---|" + string.Concat(Enumerable.Repeat("---|", 2 * chunkLengths.Length - 1)));
        foreach (var s in settings)
        {
            int frameBytes = s.Width * s.Height * 3;
            var input = ClipFrames.Decode(Path.Combine(clips, s.Clip), s.Width, s.Height, (groups + warmup) * groupLength);
            // Each group's frames back to back, as a chunked caller hands them over.
            var packed = new byte[input.Count / groupLength][];
            for (int g = 0; g < packed.Length; g++)
            {
                packed[g] = new byte[groupLength * frameBytes];
                for (int i = 0; i < groupLength; i++) input[g * groupLength + i].CopyTo(packed[g], i * frameBytes);
            }
            foreach (int threads in threadCounts)
            {
                var matters = chunkLengths.Select(_ => VideoMatter.Load(options: new MatterOptions { Threads = threads, SpinWhileIdle = spin })).ToArray();
                try
                {
                    var msPerFrame = chunkLengths.Select(_ => new List<double>()).ToArray();
                    for (int g = 0; g < packed.Length; g++)
                    {
                        for (int k = 0; k < chunkLengths.Length; k++)
                        {
                            int t = chunkLengths[k];
                            long start = Stopwatch.GetTimestamp();
                            for (int offset = 0; offset < groupLength; offset += t)
                                matters[k].ProcessChunk(packed[g].AsSpan(offset * frameBytes, t * frameBytes), t, s.Width, s.Height, s.Ratio);
                            if (g >= warmup) msPerFrame[k].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds / groupLength);
                        }
                    }
                    var medians = msPerFrame.Select(Statistics.Median).ToArray();
                    Console.WriteLine($"| {s.Width}x{s.Height} | {s.Ratio} | {threads} | " + string.Join(" | ", medians.Select(m => $"{m:F1}")) + " | " +
                                      string.Join(" | ", medians.Skip(1).Select(m => $"{m / medians[0]:F2}x")) + " |");
                }
                finally
                {
                    foreach (var m in matters) m.Dispose();
                }
            }
        }
        Console.WriteLine($"peak working set: {Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024)} MiB");
    }
}
