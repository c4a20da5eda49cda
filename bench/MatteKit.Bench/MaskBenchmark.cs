using System.Diagnostics;
using System.Globalization;
using MatteKit.Inference;
using MatteKit.Media;
using MatteKit.Metrics;
using MatteKit.Selfie;
using MatteKit.Weights;

namespace MatteKit.Bench;

/// <summary>
/// Person masks against exact ground truth (mask truth: alpha >= 0.5) on compose-dataset folders: J, F, J&amp;F, the
/// mask's dtSSD (binary masks, so a flip of one pixel counts fully) and milliseconds per frame for RVM's segmentation
/// pass, RVM's alpha >= 0.5 and the selfie models, each method run in this process on the same decoded frames.
/// Usage: masks --true DIR[,DIR...] [--weights RVM.pth] [--threads N] [--frames N (per clip)]
/// </summary>
internal static class MaskBenchmark
{
    private sealed record Method(string Name, Func<IFrameMask> Open);

    private interface IFrameMask : IDisposable
    {
        void Reset();
        /// <summary>The mask of one frame, a float per pixel (thresholded at 0.5 later).</summary>
        void Run(byte[] rgb, int width, int height, float[] mask);
    }

    public static int Run(string[] args, string shared)
    {
        var datasets = (BenchArguments.Option(args, "--true") ?? throw new ArgumentException("masks needs --true DIR[,DIR...] (compose-dataset output)")).Split(',');
        string? weights = BenchArguments.Option(args, "--weights");
        int threads = int.Parse(BenchArguments.Option(args, "--threads") ?? "2", CultureInfo.InvariantCulture);
        int maxFrames = int.Parse(BenchArguments.Option(args, "--frames") ?? "1000", CultureInfo.InvariantCulture);
        var rvmWeights = WeightsFile.LoadOrDefault(weights);
        var matter = new MatterOptions { Threads = threads };
        var methods = new List<Method>();
        // The official TF.js model (embedded) and every .pth made from it have no trained segmentation head.
        using (var probe = VideoMatter.Load(rvmWeights, matter))
            if (probe.HasSegmentation) methods.Add(new Method("RVM segmentation pass", () => new RvmMask(VideoMatter.Load(rvmWeights, matter), segmentation: true)));
            else Console.WriteLine($"masks: {rvmWeights.Source} has no segmentation head; RVM's segmentation pass is left out (give --weights with one)");
        methods.AddRange(new[]
        {
            new Method("RVM alpha >= 0.5", () => new RvmMask(VideoMatter.Load(rvmWeights, matter), segmentation: false)),
            new Method("selfie general, guided", () => new SelfieMask(SelfieModel.General, SelfieEdge.GuidedFilter, 0, threads)),
            new Method("selfie general, bilinear", () => new SelfieMask(SelfieModel.General, SelfieEdge.Bilinear, 0, threads)),
            new Method("selfie general, guided, smoothing 0.5", () => new SelfieMask(SelfieModel.General, SelfieEdge.GuidedFilter, 0.5f, threads)),
            new Method("selfie landscape, guided", () => new SelfieMask(SelfieModel.Landscape, SelfieEdge.GuidedFilter, 0, threads)),
            new Method("selfie landscape, bilinear", () => new SelfieMask(SelfieModel.Landscape, SelfieEdge.Bilinear, 0, threads)),
        });
        Console.WriteLine($"masks: {rvmWeights.Source} for RVM, {threads} threads; dtSSD on binary masks (x1e2)");
        foreach (var dataset in datasets)
        {
            var clips = Directory.GetDirectories(dataset).Where(d => Directory.Exists(Path.Combine(d, "com"))).Order(StringComparer.Ordinal).ToList();
            var frames = clips.Select(c => LoadClip(c, maxFrames)).ToList();
            var (w, h) = (frames[0][0].Rgb.Width, frames[0][0].Rgb.Height);
            Console.WriteLine($"\n{dataset}: {clips.Count} clips, {frames.Sum(f => f.Count)} frames, {w}x{h}");
            Console.WriteLine($"| method | J | F | J&F | mask dtSSD | ms / frame |");
            Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
            foreach (var method in methods)
            {
                using var mask = method.Open();
                double j = 0, f = 0, dt = 0;
                int n = 0;
                var times = new List<double>();
                foreach (var clip in frames)
                {
                    mask.Reset();
                    float[]? previous = null, previousTruth = null;
                    foreach (var (rgb, truth) in clip)
                    {
                        var predicted = new float[rgb.Width * rgb.Height];
                        var t = Stopwatch.GetTimestamp();
                        mask.Run(rgb.Pixels, rgb.Width, rgb.Height, predicted);
                        if (previous is not null) times.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                        var p = RegionSimilarity.Binarize(predicted);
                        var q = RegionSimilarity.Binarize(truth);
                        j += RegionSimilarity.Compute(p, q);
                        f += ContourAccuracy.Compute(p, q, rgb.Width, rgb.Height);
                        var binary = p.Select(b => b ? 1f : 0f).ToArray();
                        var binaryTruth = q.Select(b => b ? 1f : 0f).ToArray();
                        if (previous is not null) dt += TemporalCoherence.Compute(binary, previous, binaryTruth, previousTruth!);
                        (previous, previousTruth) = (binary, binaryTruth);
                        n++;
                    }
                }
                times.Sort();
                Console.WriteLine($"| {method.Name} | {j / n:0.0000} | {f / n:0.0000} | {(j + f) / 2 / n:0.0000} | {dt / n:0.00} | {times[times.Count / 2]:0.0} |");
            }
        }
        return 0;
    }

    private static List<(RgbImage Rgb, float[] Truth)> LoadClip(string clip, int maxFrames)
    {
        var com = ImageSequence.ListPngFiles(Path.Combine(clip, "com")).Take(maxFrames).ToList();
        return com.Select(file =>
        {
            var rgb = PngFile.ReadRgb(file);
            var pha = PngFile.ReadGray(Path.Combine(clip, "pha", Path.GetFileName(file)));
            return (rgb, pha.Pixels.Select(b => b / 255f).ToArray());
        }).ToList();
    }

    private sealed class RvmMask(VideoMatter matter, bool segmentation) : IFrameMask
    {
        public void Reset() => matter.Reset();

        public void Run(byte[] rgb, int width, int height, float[] mask)
        {
            if (segmentation) matter.Segment(rgb, width, height).Probability.CopyTo(mask);
            else matter.Process(rgb, width, height).Alpha.CopyTo(mask);
        }

        public void Dispose() => matter.Dispose();
    }

    private sealed class SelfieMask(SelfieModel model, SelfieEdge edge, float smoothing, int threads) : IFrameMask
    {
        private readonly SelfieSegmenter _segmenter = SelfieSegmenter.Load(model, new SelfieOptions { Threads = threads, Edge = edge, Smoothing = smoothing });
        private byte[] _alpha = Array.Empty<byte>();

        public void Reset() => _segmenter.Reset();

        public void Run(byte[] rgb, int width, int height, float[] mask)
        {
            if (_alpha.Length != width * height) _alpha = new byte[width * height];
            _segmenter.Segment(rgb, width, height, _alpha);
            for (int i = 0; i < mask.Length; i++) mask[i] = _alpha[i] / 255f;
        }

        public void Dispose() => _segmenter.Dispose();
    }
}
