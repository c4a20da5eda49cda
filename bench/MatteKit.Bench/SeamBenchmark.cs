using System.Globalization;
using MatteKit.Conversion;
using MatteKit.Media;
using MatteKit.Metrics;

namespace MatteKit.Bench;

/// <summary>
/// <c>seams</c> mode: a clip converted in chunks (<c>--frames A:B --warmup W</c>, each chunk its own conversion, the
/// alpha joined by index) against the same clip in one pass, for W = 0, 5, 15, 30 in both warm-up orders. On the
/// shared synthetic clip (exact ground truth, 30 frames, chunks of 10): the joined alpha's MAD (x1e3) and dtSSD
/// (x1e2) against the truth, next to the one-pass run's. On a real clip (no truth; its first 60 frames at 512x288,
/// chunks of 20): the dtSSD of the joined alpha with the one-pass alpha standing in for the truth. For both, per
/// seam, the mean |alpha difference| (x1e3) against the one-pass run at the seam's first frame and over the
/// chunk it starts. Options: --shared DIR, --chunk N (synthetic clip; the real clip takes 2N).
/// </summary>
internal static class SeamBenchmark
{
    private static readonly int[] Warmups = { 0, 5, 15, 30 };

    public static int Run(string[] args, string defaultShared)
    {
        string shared = BenchArguments.Option(args, "--shared") ?? defaultShared;
        int chunk = int.Parse(BenchArguments.Option(args, "--chunk") ?? "10", CultureInfo.InvariantCulture);
        string synthetic = Path.Combine(shared, "media", "synthetic", "hair_over_campus_512x288");
        string real = Path.Combine(shared, "media", "clips", "juggle_fullbody_720p.mp4");
        if (!Directory.Exists(synthetic) || !File.Exists(real)) { Console.Error.WriteLine($"missing {synthetic} or {real} (give --shared DIR)"); return 1; }
        var work = Directory.CreateTempSubdirectory("mattekit-bench-seams-");
        try
        {
            Console.WriteLine($"# seams benchmark, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
            var truth = Directory.GetFiles(Path.Combine(synthetic, "pha"), "*.png").Order(StringComparer.Ordinal).Select(Alpha).ToList();
            Report("synthetic hair_over_campus_512x288 (30 frames, exact truth)", Path.Combine(synthetic, "com"), truth.Count, chunk, null, truth, work.FullName);
            // The real clip's first 60 frames as PNGs at 512x288, so both runs read the very same frames.
            string frames = Path.Combine(work.FullName, "real");
            Converter.Run(new ConvertOptions
            {
                Input = real, OutputForeground = null, OutputComposition = frames, OutputType = OutputType.PngSequence, Background = Background.Transparent,
                InputResize = (512, 288), Frames = new FrameRange(0, 60), Matting = new() { Threads = 2 },
            });
            Report("real juggle_fullbody_720p (first 60 frames at 512x288, no truth: one pass stands in)", frames, 60, 2 * chunk,
                "the input", null, work.FullName);
        }
        finally
        {
            work.Delete(recursive: true);
        }
        return 0;
    }

    private static void Report(string title, string input, int frames, int chunk, string? note, IReadOnlyList<float[]>? truth, string work)
    {
        work = Directory.CreateDirectory(Path.Combine(work, $"run-{Guid.NewGuid():N}")).FullName;
        var onePass = Convert(input, null, 0, WarmupOrder.Reverse, Path.Combine(work, "one"));
        var reference = truth ?? onePass;
        Console.WriteLine();
        Console.WriteLine($"## {title}, chunks of {chunk}");
        Console.WriteLine();
        var seams = Enumerable.Range(1, (frames - 1) / chunk).Select(k => k * chunk).ToArray();
        Console.WriteLine($"| run | MAD x1e3 | dtSSD x1e2 | {string.Join(" | ", seams.Select(s => $"seam {s}: first frame / chunk, x1e3"))} |");
        Console.WriteLine($"|---|---|---|{string.Join("", seams.Select(_ => "---|"))}");
        Console.WriteLine($"| one pass | {Mad(onePass, reference):F2} | {DtSsd(onePass, reference):F2} |{string.Join("", seams.Select(_ => " - |"))}");
        foreach (var order in new[] { WarmupOrder.Reverse, WarmupOrder.Forward })
            foreach (int w in Warmups)
            {
                var joined = new List<float[]>();
                for (int start = 0; start < frames; start += chunk)
                    joined.AddRange(Convert(input, new FrameRange(start, Math.Min(frames, start + chunk)), w, order, Path.Combine(work, $"{order}-{w}-{start}")));
                string seamCells = string.Join(" | ", seams.Select(s =>
                {
                    double first = MeanAbsoluteDifference.Compute(joined[s], onePass[s]);
                    double over = Enumerable.Range(s, Math.Min(chunk, frames - s)).Average(i => MeanAbsoluteDifference.Compute(joined[i], onePass[i]));
                    return $"{first:F2} / {over:F2}";
                }));
                Console.WriteLine($"| {order.ToString().ToLowerInvariant()} W={w} | {Mad(joined, reference):F2} | {DtSsd(joined, reference):F2} | {seamCells} |");
            }
        if (note is not null) Console.WriteLine($"(MAD and dtSSD against the one-pass alpha; frames read from PNGs of {note})");
    }

    private static List<float[]> Convert(string input, FrameRange? frames, int warmup, WarmupOrder order, string output)
    {
        Converter.Run(new ConvertOptions
        {
            Input = input, OutputAlpha = output, OutputType = OutputType.PngSequence, Frames = frames, Warmup = warmup, WarmupOrder = order, Matting = new() { Threads = 2 },
        });
        return Directory.GetFiles(output, "*.png").Order(StringComparer.Ordinal).Select(Alpha).ToList();
    }

    private static float[] Alpha(string png) => PngFile.ReadGray(png).Pixels.Select(b => b / 255f).ToArray();

    private static double Mad(IReadOnlyList<float[]> predicted, IReadOnlyList<float[]> truth)
        => predicted.Zip(truth).Average(p => MeanAbsoluteDifference.Compute(p.First, p.Second)); // already x1e3

    private static double DtSsd(IReadOnlyList<float[]> predicted, IReadOnlyList<float[]> truth)
        => Enumerable.Range(1, predicted.Count - 1).Average(i => TemporalCoherence.Compute(predicted[i], predicted[i - 1], truth[i], truth[i - 1]));
}
