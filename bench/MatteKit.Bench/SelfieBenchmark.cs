using System.Diagnostics;
using System.Globalization;
using MatteKit.Selfie;

namespace MatteKit.Bench;

/// <summary>
/// Milliseconds per frame of the selfie models through <see cref="SelfieSegmenter"/> (frame in, mask out at the
/// frame's size) with each edge, against RVM's embedded model at its automatic ratio on the same frames, in rounds
/// that alternate the variants so that a slow spell of the machine hits them all alike.
/// Usage: selfie [--sizes 640x360,1280x720] [--frames 40] [--rounds 3] [--threads 2]
/// </summary>
internal static class SelfieBenchmark
{
    public static int Run(string[] args, string shared)
    {
        var sizes = (BenchArguments.Option(args, "--sizes") ?? "640x360,1280x720").Split(',')
            .Select(s => s.Split('x')).Select(p => (W: int.Parse(p[0], CultureInfo.InvariantCulture), H: int.Parse(p[1], CultureInfo.InvariantCulture))).ToList();
        int frames = int.Parse(BenchArguments.Option(args, "--frames") ?? "40", CultureInfo.InvariantCulture);
        int rounds = int.Parse(BenchArguments.Option(args, "--rounds") ?? "3", CultureInfo.InvariantCulture);
        int threads = int.Parse(BenchArguments.Option(args, "--threads") ?? "2", CultureInfo.InvariantCulture);
        string clip = Path.Combine(shared, "media", "clips", "talking_head_gesture_720p.mp4");
        Console.WriteLine($"selfie: {frames} frames of {Path.GetFileName(clip)} per variant and round, {rounds} rounds, {threads} threads; median ms per frame");
        foreach (var (w, h) in sizes)
        {
            var input = ClipFrames.Decode(clip, w, h, frames);
            var variants = new List<(string Name, Action<byte[]> Run, IDisposable Owner)>();
            foreach (var model in new[] { SelfieModel.General, SelfieModel.Landscape })
                foreach (var edge in new[] { SelfieEdge.Bilinear, SelfieEdge.GuidedFilter })
                {
                    var segmenter = SelfieSegmenter.Load(model, new SelfieOptions { Threads = threads, Edge = edge });
                    var alpha = new byte[w * h];
                    variants.Add(($"selfie {model.ToString().ToLowerInvariant()}, {(edge == SelfieEdge.Bilinear ? "bilinear" : "guided")}",
                        rgb => segmenter.Segment(rgb, w, h, alpha), segmenter));
                }
            var rvm = VideoMatter.Load((string?)null, new MatterOptions { Threads = threads });
            variants.Add(("RVM (embedded, auto ratio)", rgb => rvm.Process(rgb, w, h), rvm));
            var times = variants.Select(_ => new List<double>()).ToArray();
            foreach (var v in variants) v.Run(input[0]); // sessions built before timing
            for (int round = 0; round < rounds; round++)
                for (int i = 0; i < variants.Count; i++)
                    foreach (var frame in input)
                    {
                        long t = Stopwatch.GetTimestamp();
                        variants[i].Run(frame);
                        times[i].Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                    }
            Console.WriteLine($"\n{w}x{h}");
            double rvmMs = Statistics.Median(times[^1]);
            for (int i = 0; i < variants.Count; i++)
            {
                double ms = Statistics.Median(times[i]);
                Console.WriteLine($"  {variants[i].Name,-28} {ms,7:0.0} ms  ({rvmMs / ms:0.0}x RVM's speed)");
            }
            foreach (var v in variants) v.Owner.Dispose();
        }
        return 0;
    }
}
