using System.Diagnostics;
using System.Globalization;
using MatteKit.Compositing;
using MatteKit.Conversion;
using MatteKit.Datasets;
using MatteKit.Media;

namespace MatteKit.Bench;

/// <summary>
/// Issue 29's question for <c>--foreground</c>: over a new background, is RVM's predicted foreground or the one
/// re-estimated from the frame and the alpha (<see cref="ForegroundEstimation"/>) closer to the truth where the edge is
/// soft? On every clip with exact truth (the shared synthetic clip, clips composed from the shared cut-outs), both with
/// the network's own alpha: the composition over a mid-grey and over a saturated colour against the true composition,
/// mean |d| x1e3 over the pixels whose true alpha is strictly between 0 and 1; and the estimate's time a frame at 720p.
/// Usage: foreground [--frames 20] [--threads 2] [--clips 12]
/// </summary>
internal static class ForegroundBenchmark
{
    public static int Run(string[] args, string shared)
    {
        int frames = int.Parse(BenchArguments.Option(args, "--frames") ?? "20", CultureInfo.InvariantCulture);
        int threads = int.Parse(BenchArguments.Option(args, "--threads") ?? "2", CultureInfo.InvariantCulture);
        int maxClips = int.Parse(BenchArguments.Option(args, "--clips") ?? "12", CultureInfo.InvariantCulture);
        string work = Path.Combine(Path.GetTempPath(), $"mattekit-foreground-{Environment.ProcessId}");
        try
        {
            var clips = new List<(string Name, string Dir)>();
            clips.Add(("synthetic hair_over_campus", Path.Combine(shared, "media", "synthetic", "hair_over_campus_512x288")));
            string backgrounds = Directory.CreateDirectory(Path.Combine(work, "backgrounds")).FullName;
            foreach (var file in Directory.GetFiles(Path.Combine(shared, "media", "backgrounds", "images")).Where(f => !f.Contains("people", StringComparison.Ordinal)))
                File.Copy(file, Path.Combine(backgrounds, Path.GetFileName(file)));
            foreach (var clip in DatasetComposer.Run(new ComposeOptions
                     {
                         Foregrounds = Path.Combine(shared, "media", "matting"), Backgrounds = backgrounds, Output = Path.Combine(work, "composed"),
                         Frames = frames, MaxClips = maxClips, WriteBackground = false,
                     }))
                clips.Add(("composed " + Path.GetFileName(clip), Path.Combine(work, "composed", Path.GetFileName(clip))));

            var colours = new[] { new RgbColor(128, 128, 128), new RgbColor(20, 200, 60) };
            Console.WriteLine($"foreground: {clips.Count} clips with exact truth, network's alpha; composition error x1e3 at soft-edge pixels (0 < true alpha < 1)");
            Console.WriteLine("| clip | soft pixels | network, grey | estimate, grey | network, green | estimate, green |");
            Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
            var sums = new double[4];
            var estimation = new ForegroundEstimation();
            foreach (var (name, dir) in clips)
            {
                string output = Path.Combine(work, "out");
                if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
                Directory.CreateDirectory(output);
                Converter.Run(new ConvertOptions
                {
                    Input = Path.Combine(dir, "com"), OutputAlpha = Path.Combine(output, "pha"), OutputForeground = Path.Combine(output, "fgr"),
                    OutputType = OutputType.PngSequence, Matting = new MattingSettings { Threads = threads },
                });
                var names = Directory.GetFiles(Path.Combine(dir, "com"), "*.png").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
                var errors = new double[4];
                long soft = 0;
                foreach (var file in names.Take(frames))
                {
                    var frame = PngFile.ReadRgb(Path.Combine(dir, "com", file!));
                    var trueAlpha = PngFile.ReadGray(Path.Combine(dir, "pha", file!)).Pixels;
                    var trueFgr = PngFile.ReadRgb(Path.Combine(dir, "fgr", file!)).Pixels;
                    var alpha = PngFile.ReadGray(Path.Combine(output, "pha", file!)).Pixels;
                    var network = PngFile.ReadRgb(Path.Combine(output, "fgr", file!)).Pixels;
                    var estimated = new byte[network.Length];
                    estimation.Estimate(frame.Pixels, alpha, frame.Width, frame.Height, estimated);
                    for (int k = 0; k < colours.Length; k++)
                    {
                        var (truth, fromNetwork, fromEstimate) = (new byte[network.Length], new byte[network.Length], new byte[network.Length]);
                        Compositor.OverColor(trueFgr, trueAlpha, colours[k], truth);
                        Compositor.OverColor(network, alpha, colours[k], fromNetwork);
                        Compositor.OverColor(estimated, alpha, colours[k], fromEstimate);
                        for (int i = 0; i < trueAlpha.Length; i++)
                        {
                            if (trueAlpha[i] is 0 or 255) continue;
                            if (k == 0) soft++;
                            for (int c = 0; c < 3; c++)
                            {
                                errors[2 * k] += Math.Abs(fromNetwork[3 * i + c] - truth[3 * i + c]) / 255.0 / 3;
                                errors[2 * k + 1] += Math.Abs(fromEstimate[3 * i + c] - truth[3 * i + c]) / 255.0 / 3;
                            }
                        }
                    }
                }
                var row = errors.Select(e => e / Math.Max(1, soft) * 1e3).ToArray();
                for (int i = 0; i < 4; i++) sums[i] += row[i];
                Console.WriteLine($"| {name} | {soft} | " + string.Join(" | ", row.Select(v => v.ToString("0.00", CultureInfo.InvariantCulture))) + " |");
            }
            Console.WriteLine("| mean | | " + string.Join(" | ", sums.Select(v => (v / clips.Count).ToString("0.00", CultureInfo.InvariantCulture))) + " |");

            // The estimate's cost at 720p: a real frame and RVM's alpha of it.
            var clip720 = ClipFrames.Decode(Path.Combine(shared, "media", "clips", "talking_head_gesture_720p.mp4"), 1280, 720, 6);
            using var matter = VideoMatter.Load((string?)null, new MatterOptions { Threads = threads });
            var times = new List<double>();
            var alpha720 = new byte[1280 * 720];
            var fgr720 = new byte[1280 * 720 * 3];
            foreach (var rgb in clip720)
            {
                matter.Process(rgb, 1280, 720).AlphaToGray8(alpha720);
                var clock = Stopwatch.StartNew();
                estimation.Estimate(rgb, alpha720, 1280, 720, fgr720);
                times.Add(clock.Elapsed.TotalMilliseconds);
            }
            Console.WriteLine($"estimate at 1280x720: median {Statistics.Median(times.Skip(1).ToList()):0.0} ms a frame ({threads} threads given to RVM; the estimate runs on one)");
            return 0;
        }
        finally
        {
            if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
        }
    }
}
