using System.Globalization;
using MatteKit.Datasets;
using MatteKit.Inference;
using MatteKit.Media;
using MatteKit.Subjects;

namespace MatteKit.Bench;

/// <summary>
/// <c>--subject</c> on two people with separate ground truth (<see cref="PersonPair"/> from consecutive clips of a
/// compose-dataset folder): RVM alone against RVM with the subject chosen at each person's place in the first
/// frame. MAD x1e3: the chosen person (inside its box grown by a tenth), and the other person's box against an
/// all-zero alpha. Usage: subject --true DIR [--pairs 6] [--frames 12] [--threads 2] [--sheet FILE.png]
/// </summary>
internal static class SubjectBenchmark
{
    public static int Run(string[] args)
    {
        string dataset = BenchArguments.Option(args, "--true") ?? throw new ArgumentException("subject needs --true DIR (compose-dataset output)");
        int pairs = int.Parse(BenchArguments.Option(args, "--pairs") ?? "6", CultureInfo.InvariantCulture);
        int maxFrames = int.Parse(BenchArguments.Option(args, "--frames") ?? "12", CultureInfo.InvariantCulture);
        int threads = int.Parse(BenchArguments.Option(args, "--threads") ?? "2", CultureInfo.InvariantCulture);
        string? sheet = BenchArguments.Option(args, "--sheet");
        var clips = Directory.GetDirectories(dataset).Where(d => Directory.Exists(Path.Combine(d, "pha"))).Order(StringComparer.Ordinal).ToList();
        using var matter = VideoMatter.Load((string?)null, new MatterOptions { Threads = threads });
        using var detector = PersonDetector.Load(threads);
        Console.WriteLine($"subject: {dataset}, people scaled by {PersonPair.Scale}, MAD x1e3 (chosen: inside its box; other: its box against 0)");
        Console.WriteLine("| pair | chosen | chosen MAD, RVM alone | chosen MAD, --subject | other's box, RVM alone | other's box, --subject | tracked frames |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- |");
        var totals = new double[4];
        var detectMs = new List<double>();
        int rows = 0;
        for (int p = 0; p + 1 < clips.Count && p / 2 < pairs; p += 2)
        {
            var frames = PersonPair.Build(clips[p], clips[p + 1], maxFrames);
            foreach (bool chooseLeft in new[] { true, false })
            {
                matter.Reset();
                var first = frames[0];
                var chosenTruth = (Func<PersonPair.Frame, byte[]>)(f => chooseLeft ? f.LeftAlpha : f.RightAlpha);
                var otherTruth = (Func<PersonPair.Frame, byte[]>)(f => chooseLeft ? f.RightAlpha : f.LeftAlpha);
                var (cx, cy) = Centre(chosenTruth(first), first.Width, first.Height);
                var tracker = new SubjectTracker(SubjectChoice.AtPoint(cx, cy), first.Width, first.Height);
                var sums = new double[4];
                foreach (var f in frames)
                {
                    var alone = new byte[f.Width * f.Height];
                    matter.Process(f.Rgb, f.Width, f.Height).AlphaToGray8(alone);
                    var kept = (byte[])alone.Clone();
                    long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
                    var people = detector.Detect(f.Rgb, f.Width, f.Height);
                    detectMs.Add(System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                    SubjectMask.Apply(tracker.Update(people).Region, kept, f.Width, f.Height);
                    var chosenBox = Box(chosenTruth(f), f.Width, f.Height);
                    var otherBox = Box(otherTruth(f), f.Width, f.Height);
                    sums[0] += Mad(alone, chosenTruth(f), chosenBox, f.Width);
                    sums[1] += Mad(kept, chosenTruth(f), chosenBox, f.Width);
                    sums[2] += Mad(alone, null, otherBox, f.Width);
                    sums[3] += Mad(kept, null, otherBox, f.Width);
                    if (sheet is not null && p == 0 && chooseLeft && f == frames[^1])
                        PngFile.WriteRgb(sheet, f.Width * 3, f.Height, Sheet(f, alone, kept));
                }
                for (int i = 0; i < 4; i++)
                {
                    sums[i] = sums[i] / frames.Count * 1e3;
                    totals[i] += sums[i];
                }
                rows++;
                Console.WriteLine($"| {Path.GetFileName(clips[p])[..14]} + {Path.GetFileName(clips[p + 1])[..14]} | {(chooseLeft ? "left (front)" : "right")} | " +
                    $"{sums[0]:0.00} | {sums[1]:0.00} | {sums[2]:0.00} | {sums[3]:0.00} | {tracker.TrackedFrames}/{frames.Count} |");
            }
        }
        Console.WriteLine($"| mean | | {totals[0] / rows:0.00} | {totals[1] / rows:0.00} | {totals[2] / rows:0.00} | {totals[3] / rows:0.00} | |");
        Console.WriteLine($"MoveNet (network and decoding): median {Statistics.Median(detectMs):0.0} ms a frame over {detectMs.Count} frames");
        return 0;
    }

    private static (float X, float Y) Centre(byte[] alpha, int w, int h)
    {
        var (l, t, r, b) = Box(alpha, w, h);
        return ((l + r) / 2f, (t + b) / 2f);
    }

    /// <summary>The bounding box of alpha > 0, grown by a tenth of its size, clipped to the frame (right, bottom exclusive).</summary>
    private static (int L, int T, int R, int B) Box(byte[] alpha, int w, int h)
    {
        int l = w, t = h, r = -1, b = -1;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                if (alpha[y * w + x] > 0) (l, t, r, b) = (Math.Min(l, x), Math.Min(t, y), Math.Max(r, x), Math.Max(b, y));
        if (r < 0) return (0, 0, 0, 0);
        int gx = (r - l) / 10, gy = (b - t) / 10;
        return (Math.Max(0, l - gx), Math.Max(0, t - gy), Math.Min(w, r + 1 + gx), Math.Min(h, b + 1 + gy));
    }

    private static double Mad(byte[] predicted, byte[]? truth, (int L, int T, int R, int B) box, int w)
    {
        double sum = 0;
        long n = 0;
        for (int y = box.T; y < box.B; y++)
            for (int x = box.L; x < box.R; x++, n++)
                sum += Math.Abs(predicted[y * w + x] - (truth?[y * w + x] ?? 0)) / 255.0;
        return n == 0 ? 0 : sum / n;
    }

    private static byte[] Sheet(PersonPair.Frame f, byte[] alone, byte[] kept)
    {
        int w = f.Width, h = f.Height;
        var rgb = new byte[w * 3 * h * 3];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int c = 0; c < 3; c++)
                {
                    int row = y * w * 3;
                    rgb[3 * (row + x) + c] = f.Rgb[3 * (y * w + x) + c];
                    rgb[3 * (row + w + x) + c] = alone[y * w + x];
                    rgb[3 * (row + 2 * w + x) + c] = kept[y * w + x];
                }
        return rgb;
    }
}
