using System.Diagnostics;
using System.Globalization;
using MatteKit.Conversion;
using MatteKit.Inference;
using MatteKit.Subjects;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MatteKit.Bench;

/// <summary>
/// What <c>--subject</c> costs: on a clip of two people, at 640x360 and 1280x720, the median milliseconds a frame of
/// RVM (MobileNetV3, the size's default ratio) and of the person pass (MoveNet, the tracker, a BlazePose mask for each
/// person near the subject and the ownership of the pixels), timed frame by frame in the same run, and the pass's
/// share of RVM's time (the goal: at most half).
/// Usage: subject [--input VIDEO | --shared DIR] [--frames 40] [--threads 2] [--profile]; the input defaults to the
/// shared two-children clip. --profile adds where the pass's time goes: ONNX Runtime's per-operator profile of MoveNet
/// (at each size) and of BlazePose (one person's crop).
/// </summary>
internal static class SubjectBenchmark
{
    public static int Run(string[] args)
    {
        string shared = BenchArguments.Option(args, "--shared") ?? Environment.GetEnvironmentVariable("MATTEKIT_SHARED") ?? Path.GetFullPath("../shared");
        string input = BenchArguments.Option(args, "--input") ?? Path.Combine(shared, "media", "clips", "bedroom_kids_540p.mp4");
        int frames = int.Parse(BenchArguments.Option(args, "--frames") ?? "40", CultureInfo.InvariantCulture);
        int threads = int.Parse(BenchArguments.Option(args, "--threads") ?? "2", CultureInfo.InvariantCulture);
        bool profile = args.Contains("--profile");
        var lastFrames = new List<(int Width, int Height, byte[] Rgb)>();
        Console.WriteLine($"subject: {input}, {frames} frames a size, {threads} threads, {Environment.ProcessorCount} cores");
        Console.WriteLine("| size | RVM ms/frame | person pass ms/frame | of which MoveNet and tracking | pass / RVM | other people followed (mean) |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
        foreach (var (w, h) in new[] { (640, 360), (1280, 720) })
        {
            using var source = FrameSource.Open(new ConvertOptions { Input = input, InputResize = (w, h), OutputAlpha = "unused.mp4" });
            // As convert and live run it (FrameMatterSettings): RVM's idle workers spinning after each frame took the
            // cores from the person pass that follows, 4-6 ms a frame of MoveNet's (pass / RVM 0.51-0.59 at 640x360
            // with them spinning, 0.39-0.45 without, RVM's own time the same, 2026-12-07, the 2-core box).
            using var matter = VideoMatter.Load((string?)null, new MatterOptions { Threads = threads, SpinWhileIdle = false });
            using var detector = PersonDetector.Load(threads);
            using var segmenter = PersonSegmenter.Load(threads);
            var tracker = new SubjectTracker(SubjectChoice.Largest, w, h);
            var ownership = new SubjectOwnership();
            var keep = new SubjectKeep();
            var rvm = new List<double>();
            var pass = new List<double>();
            var follow = new List<double>();
            double near = 0;
            var slot = new FrameSlot();
            var alpha = new byte[w * h];
            for (int f = 0; f < frames && source.Read(slot); f++)
            {
                var rgb = slot.Rgb.AsSpan(0, slot.Pixels * 3);
                long t0 = Stopwatch.GetTimestamp();
                matter.Process(rgb, w, h).AlphaToGray8(alpha);
                long t1 = Stopwatch.GetTimestamp();
                var state = tracker.Follow(detector, slot, check: false);
                long t2 = Stopwatch.GetTimestamp();
                ownership.Keep(segmenter, state, tracker.People, rgb, w, h, keep);
                keep.ApplyTo(alpha);
                long t3 = Stopwatch.GetTimestamp();
                // The first frames load the sessions: not what a frame costs.
                if (f < 3) continue;
                rvm.Add(Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds);
                follow.Add(Stopwatch.GetElapsedTime(t1, t2).TotalMilliseconds);
                pass.Add(Stopwatch.GetElapsedTime(t1, t3).TotalMilliseconds);
                near += state.Others.Count;
            }
            if (pass.Count == 0) throw new ArgumentException($"subject: {input} gave too few frames to time (the first 3 are not timed)");
            double r = Statistics.Median(rvm), p50 = Statistics.Median(pass);
            Console.WriteLine($"| {w}x{h} | {r:0.0} | {p50:0.0} | {Statistics.Median(follow):0.0} | {p50 / r:0.00} | {near / pass.Count:0.0} |");
            Console.WriteLine($"  means: RVM {rvm.Average():0.0}, pass {pass.Average():0.0}, ratio {pass.Average() / rvm.Average():0.00}");
            if (profile) lastFrames.Add((w, h, slot.Rgb.AsSpan(0, slot.Pixels * 3).ToArray()));
        }
        foreach (var (w, h, rgb) in lastFrames)
        {
            var planes = new DenseTensor<byte>(new[] { 1, 3, h, w });
            RgbPlanes.Split(rgb, planes.Buffer.Span);
            var byOp = OperatorProfile.ByOperator(PersonDetector.Graph(w, h).OnnxBytes, threads, frames,
                session => session.Run(new[] { NamedOnnxValue.CreateFromTensor("src", planes) }).Dispose());
            Console.WriteLine($"MoveNet at {w}x{h}, ms a frame by operator: {OperatorProfile.Line(byOp)}");
        }
        if (profile)
        {
            // A crop of the frame's top-left corner: the operators' time hardly depends on what the crop shows.
            var (w, _, rgb) = lastFrames[0];
            var crop = new DenseTensor<byte>(new[] { 1, 3, PoseRoi.CropSide, PoseRoi.CropSide });
            for (int c = 0; c < 3; c++)
                for (int y = 0; y < PoseRoi.CropSide; y++)
                    for (int x = 0; x < PoseRoi.CropSide; x++)
                        crop[0, c, y, x] = rgb[(y * w + x) * 3 + c];
            var byOp = OperatorProfile.ByOperator(PersonSegmenter.Graph().OnnxBytes, threads, frames,
                session => session.Run(new[] { NamedOnnxValue.CreateFromTensor("crop", crop) }).Dispose());
            Console.WriteLine($"BlazePose, ms a person by operator: {OperatorProfile.Line(byOp)}");
        }
        return 0;
    }
}
