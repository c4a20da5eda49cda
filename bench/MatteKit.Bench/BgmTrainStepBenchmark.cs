using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using MatteKit.Bgm;
using MatteKit.Media;
using MatteKit.Training.Bgm;
using MatteKit.Training.Losses;
using MatteKit.Training.Network;
using MatteKit.Training.Optimization;
using MatteKit.Training.Runs;
using MatteKit.Weights;
using static TorchSharp.torch;
using PatchRefiner = MatteKit.Training.Bgm.PatchRefiner;

namespace MatteKit.Bench;

/// <summary>
/// BGMv2 training steps per second, batch 2, batch norm in train mode, Adam at the official rates of each script:
/// the base network (<c>MattingBase</c>, MobileNetV2) at 256x144 with <c>train_base.py</c>'s loss, and the whole
/// network (<c>MattingRefine</c>: backbone scale 0.25, the refiner sampling <c>train_refine.py</c>'s 80,000 pixels)
/// at 512x288 with <c>train_refine.py</c>'s loss; both from the shared synthetic weights. With
/// <c>--official BGMV2_DIR</c> the official PyTorch step (Debian's python3-torch, bench/official_bgm_train_step.py)
/// on the same input tensors, written here and read there, the two taking turns in one run so that both see the
/// same machine. The step is what the training loop repeats: forward, loss, backward, Adam; the data's
/// compositing and augmentation are not timed on either side.
/// </summary>
internal static class BgmTrainStepBenchmark
{
    private const int Batch = 2;

    public static void Run(string shared, int steps, int warmup, int threads, int repeats, string? official)
    {
        var clip = Path.Combine(shared, "media", "synthetic", "hair_over_campus_512x288");
        var background = Path.Combine(shared, "media", "backgrounds", "images", "skimage_coffee.png");
        var weights = Path.Combine(shared, "models", "bgmv2_mobilenetv2_synthetic.pth");
        var kornia = Path.Combine(shared, "reference", "tools", "bgmv2");
        set_num_threads(threads);
        // glibc's heap as the trainer sets it (BgmTrainer.Prepare); the official process keeps glibc's defaults, as it runs.
        bool heap = MatteKit.Training.NativeHeap.KeepFreedMemory();
        Console.WriteLine($"BGMv2 training step, batch {Batch}, batch norm in train mode, Adam at the official rates, {threads} threads, " +
                          $"{steps} steps x {repeats} repeats after {warmup} warm-up steps; weights {Path.GetFileName(weights)}; MatteKit's freed memory kept (glibc): {(heap ? "yes" : "no")}");
        var inputs = Directory.CreateTempSubdirectory("mattekit-bgm-step-");
        try
        {
            foreach (var refine in new[] { false, true })
            {
                var (width, height) = refine ? (512, 288) : (256, 144);
                var folder = Path.Combine(inputs.FullName, refine ? "refine" : "base");
                Directory.CreateDirectory(folder);
                WriteInputs(clip, background, width, height, folder);
                var ours = new List<double>();
                var theirs = new List<double>();
                for (int r = 0; r < repeats; r++)
                {
                    ours.Add(MatteKitStep(weights, folder, refine, width, height, steps, r == 0 ? warmup : 1));
                    if (official is not null) theirs.AddRange(OfficialStep(official, kornia, weights, folder, refine, width, height, threads, steps, warmup));
                }
                double m = Median(ours);
                string name = refine ? "refine (MattingRefine, 512x288, base at 128x72, 5,000 of 9,216 patches a frame)" : "base (MattingBase, 256x144)";
                string line = $"  {name}: MatteKit (TorchSharp) {m:F3} s/step ({1 / m:F2} steps/s) [{Join(ours)}]";
                if (theirs.Count > 0)
                {
                    double o = Median(theirs);
                    line += $"; official PyTorch {o:F3} s/step ({1 / o:F2} steps/s) [{Join(theirs)}]; MatteKit/official time ratio {m / o:F2}x";
                }
                Console.WriteLine(line);
            }
        }
        finally
        {
            inputs.Delete(recursive: true);
        }
    }

    /// <summary>
    /// Frames 0-1 of the synthetic clip (cropped to x 128..383, y 64..207 at 256x144, whole at 512x288) over the
    /// background resized bilinearly to twice the size and cropped at (16k, 8k) for sample k; src = fgr*pha + bgr*(1-pha).
    /// Written as raw float32 [2, C, H, W]: src, bgr, pha, fgr.
    /// </summary>
    private static void WriteInputs(string clip, string background, int width, int height, string folder)
    {
        using var scope = NewDisposeScope();
        int x0 = (512 - width) / 2, y0 = (288 - height) / 2;
        var pha = stack(Enumerable.Range(0, Batch).Select(i => ClipLayer(clip, "pha", i)[.., y0..(y0 + height), x0..(x0 + width)]));
        var fgr = stack(Enumerable.Range(0, Batch).Select(i => ClipLayer(clip, "fgr", i)[.., y0..(y0 + height), x0..(x0 + width)]));
        var image = PngFile.ReadRgb(background);
        var full = tensor(image.Pixels, dtype: ScalarType.Byte).reshape(image.Height, image.Width, 3).permute(2, 0, 1).to(ScalarType.Float32).div(255).unsqueeze(0);
        var large = Blocks.ResizeTo(full, 2 * height, 2 * width)[0];
        var bgr = stack(Enumerable.Range(0, Batch).Select(k => large[.., (8 * k)..(8 * k + height), (16 * k)..(16 * k + width)]));
        var src = fgr * pha + bgr * (1 - pha);
        foreach (var (name, t) in new[] { ("src", src), ("bgr", bgr), ("pha", pha), ("fgr", fgr) })
            File.WriteAllBytes(Path.Combine(folder, name + ".bin"), MemoryMarshal.AsBytes(t.contiguous().data<float>().ToArray().AsSpan()).ToArray());
    }

    private static Tensor ClipLayer(string clip, string layer, int frame)
    {
        var path = Path.Combine(clip, layer, $"{frame:D4}.png");
        Tensor bytes = layer == "pha"
            ? tensor(PngFile.ReadGray(path).Pixels, dtype: ScalarType.Byte).reshape(1, 288, 512)
            : tensor(PngFile.ReadRgb(path).Pixels, dtype: ScalarType.Byte).reshape(288, 512, 3).permute(2, 0, 1);
        return bytes.to(ScalarType.Float32).div(255);
    }

    private static Tensor ReadInput(string folder, string name, int channels, int width, int height)
    {
        var values = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(Path.Combine(folder, name + ".bin"))).ToArray();
        return tensor(values).reshape(Batch, channels, height, width);
    }

    private static double MatteKitStep(string weights, string folder, bool refine, int width, int height, int steps, int warmup)
    {
        using var scope = NewDisposeScope();
        var refiner = refine ? new PatchRefiner(BgmMattingNetwork.HiddenChannels, RefineMode.Sampling, BgmTrainer.RefineSamplePixels, 0.7f) : null;
        var network = new BgmMattingNetwork(BgmBackbone.MobileNetV2, refiner, BgmTrainer.BackboneScale);
        var missing = BgmNetworkWeights.Load(network, WeightsFile.Load(weights));
        if (missing.Count > 0) throw new InvalidOperationException($"{weights} lacks {string.Join(", ", missing)}");
        network.train();
        using var optimizer = new BgmOptimizer(network, refine ? BgmOptimizer.OfficialRefine : BgmOptimizer.OfficialBase, trainsRefiner: refine);
        var (src, bgr) = (ReadInput(folder, "src", 3, width, height), ReadInput(folder, "bgr", 3, width, height));
        var (pha, fgr) = (ReadInput(folder, "pha", 1, width, height), ReadInput(folder, "fgr", 3, width, height));
        void Step()
        {
            using var s = NewDisposeScope();
            optimizer.ZeroGrad();
            BgmLossTerms terms;
            if (refine)
            {
                var o = network.Refine(src, bgr);
                terms = BgmRefineLoss.Compute(o.Alpha, o.Foreground, o.AlphaSmall, o.ForegroundSmall, o.ErrorSmall, pha, fgr);
            }
            else
            {
                var o = network.Base(src, bgr);
                terms = BgmBaseLoss.Compute(o.Alpha, o.Foreground, o.Error, pha, fgr);
            }
            terms.Total.backward();
            optimizer.Step();
        }
        for (int i = 0; i < warmup; i++) Step();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++) Step();
        return clock.Elapsed.TotalSeconds / steps;
    }

    private static IEnumerable<double> OfficialStep(string bgm, string kornia, string weights, string folder, bool refine, int width, int height,
        int threads, int steps, int warmup)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "official_bgm_train_step.py");
        var psi = new ProcessStartInfo("/usr/bin/python3")
        {
            ArgumentList = { script, "--bgm", bgm, "--kornia", kornia, "--weights", weights, "--inputs", folder, "--stage", refine ? "refine" : "base",
                "--width", width.ToString(CultureInfo.InvariantCulture), "--height", height.ToString(CultureInfo.InvariantCulture),
                "--threads", threads.ToString(CultureInfo.InvariantCulture), "--steps", steps.ToString(CultureInfo.InvariantCulture),
                "--warmup", warmup.ToString(CultureInfo.InvariantCulture), "--repeats", "1" },
            RedirectStandardOutput = true,
        };
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"official BGMv2 step script failed ({p.ExitCode})");
        return output.Split('\n').Where(l => l.StartsWith("seconds_per_step", StringComparison.Ordinal))
            .Select(l => double.Parse(l.Split(' ')[1], CultureInfo.InvariantCulture)).ToList();
    }

    private static string Join(List<double> values) => string.Join(" ", values.Select(v => v.ToString("F3", CultureInfo.InvariantCulture)));

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }
}
