using System.Diagnostics;
using MatteKit.Inference;
using MatteKit.Rvm;
using MatteKit.Weights;
using Microsoft.ML.OnnxRuntime;

namespace MatteKit.Bench;

/// <summary>
/// ONNX Runtime session options against the ones MatteKit uses, on the same graph (the one <c>convert</c> runs,
/// 8-bit results), the same frames and threads, in one process: the sessions take turns in blocks of
/// <see cref="BlockFrames"/> timed frames (after 3 untimed ones), so load from elsewhere hits them alike.
/// </summary>
internal static class SessionOptionsBenchmark
{
    private const int BlockFrames = 10;
    private const int BlockWarmup = 3;

    private sealed record Setting(int Width, int Height, double Ratio, string Clip);

    public static void Run(string shared, int frames, int threads)
    {
        var clips = Path.Combine(shared, "media", "clips");
        var settings = new[]
        {
            new Setting(512, 288, 1.0, "talking_head_gesture_720p.mp4"),
            new Setting(1920, 1080, 0.25, "over_shoulder_laptop_1080p.mp4"),
        };
        var variants = new (string Name, Func<SessionOptions> Make)[]
        {
            ("MatteKit's: all graph optimisations, sequential executor, workers spinning", () => OrtSessionOptions.Create(threads)),
            ("graph optimisation level extended (no NCHWc layout)", () => With(o => o.GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_EXTENDED)),
            ("CPU memory arena off", () => With(o => o.EnableCpuMemArena = false)),
            ("memory pattern off", () => With(o => o.EnableMemoryPattern = false)),
            ("parallel executor, 2 inter-op threads", () => With(o => { o.ExecutionMode = ExecutionMode.ORT_PARALLEL; o.InterOpNumThreads = 2; })),
            ("workers not spinning (what convert uses beside ffmpeg)", () => OrtSessionOptions.Create(threads, spinWhileIdle: false)),
        };
        Console.WriteLine($"Session options: median ms/frame over {frames} timed frames each, {threads} intra-op threads, sessions taking turns in blocks of {BlockFrames}");
        Console.WriteLine("| input | ratio | options | ms | against MatteKit's |");
        Console.WriteLine("|---|---|---|---|---|");
        var network = RvmNetwork.FromWeights(WeightsFile.LoadDefault());
        foreach (var s in settings)
        {
            var input = ClipFrames.Decode(Path.Combine(clips, s.Clip), s.Width, s.Height, BlockFrames + BlockWarmup);
            var geometry = network.Geometry(s.Width, s.Height, s.Ratio);
            var sessions = variants.Select(v => new MatteSession(network, geometry, NetworkPass.Matting, MatteOutputs.Bytes, 1, v.Make())).ToArray();
            try
            {
                var times = sessions.Select(_ => new List<double>()).ToArray();
                while (times[0].Count < frames)
                    for (int i = 0; i < sessions.Length; i++)
                        for (int k = 0; k < BlockWarmup + BlockFrames; k++)
                        {
                            long t = Stopwatch.GetTimestamp();
                            sessions[i].Run(input[k % input.Count]);
                            if (k >= BlockWarmup) times[i].Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                        }
                double baseline = Statistics.Median(times[0]);
                for (int i = 0; i < sessions.Length; i++)
                    Console.WriteLine($"| {s.Width}x{s.Height} | {s.Ratio} | {variants[i].Name} | {Statistics.Median(times[i]):F1} | {Statistics.Median(times[i]) / baseline:F2}x |");
            }
            finally
            {
                foreach (var session in sessions) session.Dispose();
            }
        }

        SessionOptions With(Action<SessionOptions> change)
        {
            var options = OrtSessionOptions.Create(threads);
            change(options);
            return options;
        }
    }
}
