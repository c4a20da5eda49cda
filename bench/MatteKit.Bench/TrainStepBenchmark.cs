using System.Diagnostics;
using System.Globalization;
using MatteKit.Media;
using MatteKit.Rvm;
using MatteKit.Training.Losses;
using MatteKit.Training.Network;
using MatteKit.Training.Optimization;
using MatteKit.Weights;
using static TorchSharp.torch;

namespace MatteKit.Bench;

/// <summary>
/// Training steps per second at 256x144, T=4 (frames 0-3 of the synthetic clip, the training reference's crop),
/// ratio 1, Adam at stage-1 rates, batch norm frozen and in train mode; with <c>--official RVM_DIR</c> the
/// official PyTorch step on the same input (Debian's python3-torch, bench/official_train_step.py), the two taking
/// turns in one run so that both see the same machine.
/// </summary>
internal static class TrainStepBenchmark
{
    public static void Run(string shared, int steps, int warmup, int threads, int repeats, string? official)
    {
        var clip = Path.Combine(shared, "media", "synthetic", "hair_over_campus_512x288");
        set_num_threads(threads);
        Console.WriteLine($"training step, 256x144, T=4, ratio 1, {threads} threads, {steps} steps x {repeats} repeats after {warmup} warm-up steps");
        foreach (var bn in new[] { "frozen", "train" })
        {
            var ours = new List<double>();
            var theirs = new List<double>();
            for (int r = 0; r < repeats; r++)
            {
                ours.Add(MatteKitStep(clip, bn == "frozen", steps, r == 0 ? warmup : 1));
                if (official is not null) theirs.AddRange(OfficialStep(official, clip, Path.Combine(shared, "models", "rvm_mobilenetv3_fgf.pth"), threads, steps, warmup, bn));
            }
            double m = Median(ours);
            string line = $"  batch norm {bn}: MatteKit (TorchSharp) {m:F3} s/step ({1 / m:F2} steps/s)";
            if (theirs.Count > 0)
            {
                double o = Median(theirs);
                line += $"; official PyTorch {o:F3} s/step ({1 / o:F2} steps/s); MatteKit/official time ratio {m / o:F2}x";
            }
            Console.WriteLine(line);
        }
    }

    private static double MatteKitStep(string clip, bool frozen, int steps, int warmup)
    {
        using var scope = NewDisposeScope();
        var network = NetworkWeights.Create(WeightsFile.LoadDefault(), RvmRefiner.FastGuidedFilter, out _);
        if (frozen) network.TrainWithFrozenBatchNorm(); else network.train();
        using var optimizer = new NetworkOptimizer(network, new ModuleRates(1e-4, 2e-4, 2e-4, 0));
        var (src, fgr, pha) = (Layer(clip, "com"), Layer(clip, "fgr"), Layer(clip, "pha"));
        void Step()
        {
            using var s = NewDisposeScope();
            optimizer.ZeroGrad();
            var (pf, pp, _) = network.Matte(src);
            var loss = MattingLoss.Compute(pf, pp, fgr, pha).Total;
            loss.backward();
            optimizer.Step();
        }
        for (int i = 0; i < warmup; i++) Step();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++) Step();
        return clock.Elapsed.TotalSeconds / steps;
    }

    private static IEnumerable<double> OfficialStep(string rvm, string clip, string weights, int threads, int steps, int warmup, string bn)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "official_train_step.py");
        var psi = new ProcessStartInfo("/usr/bin/python3")
        {
            ArgumentList = { script, "--rvm", rvm, "--clip", clip, "--weights", weights, "--threads", threads.ToString(), "--steps", steps.ToString(),
                "--warmup", warmup.ToString(), "--repeats", "1", "--bn", bn },
            RedirectStandardOutput = true,
        };
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"official step script failed ({p.ExitCode})");
        return output.Split('\n').Where(l => l.StartsWith("seconds_per_step")).Select(l => double.Parse(l.Split(' ')[1], CultureInfo.InvariantCulture));
    }

    private static Tensor Layer(string clip, string layer)
    {
        var frames = new List<Tensor>();
        for (int i = 0; i < 4; i++)
        {
            var path = Path.Combine(clip, layer, $"{i:D4}.png");
            Tensor full = layer == "pha"
                ? tensor(PngFile.ReadGray(path).Pixels, dtype: ScalarType.Byte).reshape(1, 288, 512)
                : tensor(PngFile.ReadRgb(path).Pixels, dtype: ScalarType.Byte).reshape(288, 512, 3).permute(2, 0, 1);
            frames.Add(full.to(ScalarType.Float32).div(255)[.., 64..208, 128..384]);
        }
        return stack(frames, 0).unsqueeze(0).contiguous();
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }
}
