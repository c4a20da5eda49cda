using System.Diagnostics;
using System.Globalization;
using MatteKit.Conversion;
using MatteKit.Datasets;
using MatteKit.Media;
using MatteKit.Metrics;

namespace MatteKit.Bench;

/// <summary>
/// Issue 29's question: does priming RVM's recurrent state on a clip's own opening frames, run backwards with their
/// outputs discarded (<see cref="WarmupOrder.Reverse"/>), make the matte better, and what does it cost? Every clip with
/// exact truth it can have: the shared synthetic clip, and clips composed from the shared cut-outs over the shared
/// backgrounds (<see cref="DatasetComposer"/>). Each is converted with the state from zero and primed with W frames;
/// MAD over all frames and over the first 15 alone, dtSSD, and the wall time, per clip and the mean.
/// Usage: priming [--warmups 15] [--frames 40] [--threads 2] [--clips 12]
/// </summary>
internal static class PrimingBenchmark
{
    public static int Run(string[] args, string shared)
    {
        var warmups = (BenchArguments.Option(args, "--warmups") ?? "15").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        int frames = int.Parse(BenchArguments.Option(args, "--frames") ?? "40", CultureInfo.InvariantCulture);
        int threads = int.Parse(BenchArguments.Option(args, "--threads") ?? "2", CultureInfo.InvariantCulture);
        int maxClips = int.Parse(BenchArguments.Option(args, "--clips") ?? "12", CultureInfo.InvariantCulture);
        string work = Path.Combine(Path.GetTempPath(), $"mattekit-priming-{Environment.ProcessId}");
        try
        {
            var clips = new List<(string Name, string Frames, string Truth)>();
            string synthetic = Path.Combine(shared, "media", "synthetic", "hair_over_campus_512x288");
            clips.Add(("synthetic hair_over_campus", Path.Combine(synthetic, "com"), Path.Combine(synthetic, "pha")));
            // Backgrounds without people (compose-dataset's rule): the shared stills less the office with people in it.
            string backgrounds = Directory.CreateDirectory(Path.Combine(work, "backgrounds")).FullName;
            foreach (var file in Directory.GetFiles(Path.Combine(shared, "media", "backgrounds", "images")).Where(f => !f.Contains("people", StringComparison.Ordinal)))
                File.Copy(file, Path.Combine(backgrounds, Path.GetFileName(file)));
            var composed = DatasetComposer.Run(new ComposeOptions
            {
                Foregrounds = Path.Combine(shared, "media", "matting"), Backgrounds = backgrounds, Output = Path.Combine(work, "composed"),
                Frames = frames, MaxClips = maxClips, WriteBackground = false,
            });
            foreach (var clip in composed.Select(c => Path.Combine(work, "composed", Path.GetFileName(c)))) clips.Add(("composed " + Path.GetFileName(clip), Path.Combine(clip, "com"), Path.Combine(clip, "pha")));

            Console.WriteLine($"priming: {clips.Count} clips with exact truth, {threads} threads, {Environment.ProcessorCount} cores; warm-ups {string.Join(", ", warmups)} (reverse) against none");
            var header = "| clip | frames | MAD none | MAD first 15 none | dtSSD none |" + string.Concat(warmups.Select(w => $" MAD W={w} | MAD first 15 W={w} | dtSSD W={w} | time W={w} / none |"));
            Console.WriteLine(header);
            Console.WriteLine("|" + string.Concat(Enumerable.Repeat(" --- |", 5 + 4 * warmups.Length)));
            var sums = new double[3 + 4 * warmups.Length];
            foreach (var (name, input, truth) in clips)
            {
                var truthFrames = Directory.GetFiles(truth, "*.png").Order(StringComparer.Ordinal).Select(p => ToFloat(PngFile.ReadGray(p).Pixels)).ToList();
                var (none, noneTime) = Matte(input, 0, threads, Path.Combine(work, "out"));
                var row = new List<double>(Score(none, truthFrames));
                foreach (int w in warmups)
                {
                    var (primed, time) = Matte(input, w, threads, Path.Combine(work, "out"));
                    row.AddRange(Score(primed, truthFrames));
                    row.Add(time / noneTime);
                }
                for (int i = 0; i < row.Count; i++) sums[i] += row[i];
                Console.WriteLine($"| {name} | {truthFrames.Count} | " + string.Join(" | ", row.Select(v => v.ToString("0.00", CultureInfo.InvariantCulture))) + " |");
            }
            Console.WriteLine("| mean | | " + string.Join(" | ", sums.Select(v => (v / clips.Count).ToString("0.00", CultureInfo.InvariantCulture))) + " |");
            return 0;
        }
        finally
        {
            if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
        }
    }

    private static (List<float[]> Alpha, double Seconds) Matte(string input, int warmup, int threads, string output)
    {
        if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        var clock = Stopwatch.StartNew();
        Converter.Run(new ConvertOptions
        {
            Input = input, OutputAlpha = output, OutputType = OutputType.PngSequence, Matting = new MattingSettings { Threads = threads },
            Priming = warmup,
        });
        double seconds = clock.Elapsed.TotalSeconds;
        return (Directory.GetFiles(output, "*.png").Order(StringComparer.Ordinal).Select(p => ToFloat(PngFile.ReadGray(p).Pixels)).ToList(), seconds);
    }

    /// <summary>MAD over every frame, MAD over the first 15, dtSSD over every frame (means of the per-frame values).</summary>
    private static double[] Score(List<float[]> predicted, List<float[]> truth)
    {
        if (predicted.Count != truth.Count) throw new InvalidOperationException($"{predicted.Count} frames matted, {truth.Count} in the truth");
        var mad = predicted.Select((p, f) => MeanAbsoluteDifference.Compute(p, truth[f])).ToList();
        var dtssd = Enumerable.Range(1, predicted.Count - 1).Select(f => TemporalCoherence.Compute(predicted[f], predicted[f - 1], truth[f], truth[f - 1])).ToList();
        return [mad.Average(), mad.Take(15).Average(), dtssd.Average()];
    }

    private static float[] ToFloat(byte[] alpha) => alpha.Select(v => v / 255f).ToArray();
}
