using System.Diagnostics;
using MatteKit.Inference;
using MatteKit.Onnx;
using MatteKit.Weights;

namespace MatteKit.Bench;

/// <summary>
/// `network --precision fp32,int8`: the embedded model in float32 and in int8 (activation ranges calibrated first on
/// other shared clips than the timed ones), taking turns in blocks on the same frames, median ms per frame
/// (VideoMatter.Process), and how far int8's alpha is from float32's on those frames (each with its own state).
/// </summary>
internal static class PrecisionBenchmark
{
    private const int BlockFrames = 10;
    public static readonly string[] CalibrationClips = { "juggle_fullbody_720p.mp4", "bedroom_kids_540p.mp4", "pedestrians_static_cam_576p.mp4" };

    private sealed record Setting(int Width, int Height, double Ratio, string Clip);

    /// <summary>What the shipped ranges are measured on (<c>calibrate</c>): every shared clip of people; the reference cases the tests compare on are not among them.</summary>
    public static readonly string[] ShippedCalibrationClips =
    {
        "bedroom_kids_540p.mp4", "coffee_torso_hands_720p.mp4", "hand_reach_defocus_360p.mp4", "juggle_fullbody_720p.mp4",
        "over_shoulder_laptop_1080p.mp4", "pedestrians_static_cam_576p.mp4", "talking_head_gesture_720p.mp4", "tears_of_steel_cuts_360p.mp4",
    };

    public static ActivationRanges Calibrate(string shared, int framesPerClip, IReadOnlyList<string>? clipNames = null)
    {
        var network = Rvm.RvmNetwork.FromWeights(WeightsFile.LoadOrDefault(null));
        var clips = (clipNames ?? CalibrationClips).Select(clip => (IReadOnlyList<byte[]>)ClipFrames.Decode(Path.Combine(shared, "media", "clips", clip), 512, 288, framesPerClip)).ToArray();
        return Int8Calibration.Measure(network, clips, 512, 288, 1.0);
    }

    public static void Run(string shared, int frames, int warmup, int[] threadCounts, int[]? heights, string[] precisions, int calibrationFrames, bool profile = false)
    {
        var t0 = Stopwatch.GetTimestamp();
        var ranges = Calibrate(shared, calibrationFrames);
        Console.WriteLine($"int8: {ranges.Count} activation sites calibrated on {calibrationFrames} frames each of {string.Join(", ", CalibrationClips)} at 512x288 " +
                          $"({Stopwatch.GetElapsedTime(t0).TotalSeconds:F1} s)");
        PrintOptimizedOps(ranges);
        var clips = Path.Combine(shared, "media", "clips");
        var settings = new[]
        {
            new Setting(512, 288, 1.0, "talking_head_gesture_720p.mp4"),
            new Setting(1280, 720, 0.375, "coffee_torso_hands_720p.mp4"),
            new Setting(1920, 1080, 0.25, "over_shoulder_laptop_1080p.mp4"),
        }.Where(s => heights is null || heights.Contains(s.Height)).ToArray();
        Console.WriteLine($"Median ms/frame over {frames} timed frames, precisions alternating in blocks of {BlockFrames} after {warmup} warm-up frames; |d alpha| of int8 against fp32 on the same frames");
        Console.WriteLine($"| input | ratio | threads | {string.Join(" | ", precisions.Select(p => p + " ms"))} | fp32 / int8 | mean abs d alpha | max abs d alpha |");
        Console.WriteLine($"|---|---|---|{string.Concat(precisions.Select(_ => "---|"))}---|---|---|");
        foreach (var s in settings)
        {
            var input = ClipFrames.Decode(Path.Combine(clips, s.Clip), s.Width, s.Height, frames + warmup);
            if (profile)
            {
                OperatorProfile.Run(input, s.Width, s.Height, s.Ratio, threadCounts.Max(), ranges);
                continue;
            }
            foreach (int threads in threadCounts)
            {
                var matters = precisions.Select(p => VideoMatter.Load(options: new MatterOptions
                {
                    Threads = threads,
                    Int8Ranges = p == "int8" ? ranges : p == "fp32" ? null : throw new ArgumentException($"precision '{p}': fp32 or int8"),
                })).ToArray();
                try
                {
                    var times = precisions.Select(_ => new List<double>()).ToArray();
                    var next = new int[precisions.Length];
                    while (times[0].Count < frames)
                    {
                        int timed = Math.Min(BlockFrames, frames - times[0].Count);
                        for (int m = 0; m < matters.Length; m++)
                            for (int k = 0; k < warmup + timed; k++, next[m]++)
                            {
                                var frame = input[next[m] % input.Count];
                                var t = Stopwatch.GetTimestamp();
                                matters[m].Process(frame, s.Width, s.Height, s.Ratio);
                                if (k >= warmup) times[m].Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                            }
                    }
                    var medians = times.Select(Statistics.Median).ToArray();
                    int fp = Array.IndexOf(precisions, "fp32"), i8 = Array.IndexOf(precisions, "int8");
                    string ratio = fp >= 0 && i8 >= 0 ? $"{medians[fp] / medians[i8]:F2}x" : "n/a";
                    string mean = "n/a", max = "n/a";
                    if (fp >= 0 && i8 >= 0)
                    {
                        var (meanD, maxD) = AlphaDifference(input, s, threads, ranges);
                        mean = $"{meanD:F4}";
                        max = $"{maxD:F3}";
                    }
                    Console.WriteLine($"| {s.Width}x{s.Height} | {s.Ratio} | {threads} | {string.Join(" | ", medians.Select(m => m.ToString("F1")))} | {ratio} | {mean} | {max} |");
                }
                finally
                {
                    foreach (var m in matters) m.Dispose();
                }
            }
        }
    }

    /// <summary>Mean and max |alpha_int8 - alpha_fp32| over the frames in clip order, each precision from a fresh state.</summary>
    internal static (double Mean, double Max) AlphaDifference(IReadOnlyList<byte[]> frames, int width, int height, double ratio, int threads, ActivationRanges ranges)
    {
        using var fp32 = VideoMatter.Load(options: new MatterOptions { Threads = threads });
        using var int8 = VideoMatter.Load(options: new MatterOptions { Threads = threads, Int8Ranges = ranges });
        double sum = 0, max = 0;
        long count = 0;
        foreach (var frame in frames)
        {
            var a = fp32.Process(frame, width, height, ratio).Alpha;
            var b = int8.Process(frame, width, height, ratio).Alpha;
            for (int i = 0; i < a.Length; i++)
            {
                double d = Math.Abs(a[i] - b[i]);
                sum += d;
                if (d > max) max = d;
            }
            count += a.Length;
        }
        return (sum / count, max);
    }

    private static (double Mean, double Max) AlphaDifference(IReadOnlyList<byte[]> frames, Setting s, int threads, ActivationRanges ranges)
        => AlphaDifference(frames, s.Width, s.Height, s.Ratio, threads, ranges);

    /// <summary>What ONNX Runtime made of the int8 graph at 512x288: its optimized graph's op types and how many of each.</summary>
    private static void PrintOptimizedOps(ActivationRanges ranges)
    {
        var network = Rvm.RvmNetwork.FromWeights(WeightsFile.LoadOrDefault(null));
        var graph = Rvm.RvmGraph.Build(network, network.Geometry(512, 288, 1.0), Rvm.SourceFormat.PlanarBytes, int8: Int8Quantization.With(ranges));
        var path = Path.Combine(Path.GetTempPath(), $"mattekit-int8-optimized-{Environment.ProcessId}.onnx");
        using (var options = OrtSessionOptions.Create(1))
        {
            options.OptimizedModelFilePath = path;
            using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(graph.OnnxBytes, options);
        }
        var model = Onnx.Protobuf.ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        File.Delete(path);
        var counts = model.Graph.Node.GroupBy(n => n.OpType).OrderByDescending(c => c.Count()).Select(c => $"{c.Key} {c.Count()}");
        Console.WriteLine($"int8 graph at 512x288 as ONNX Runtime optimized it: {string.Join(", ", counts)}");
    }
}
