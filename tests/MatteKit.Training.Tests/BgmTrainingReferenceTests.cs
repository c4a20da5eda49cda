using System.Text.Json;
using MatteKit.Bgm;
using MatteKit.Tests.TestSupport;
using MatteKit.Training.Bgm;
using MatteKit.Training.Losses;
using MatteKit.Training.Network;
using MatteKit.Training.Optimization;
using MatteKit.Weights;
using Xunit.Abstractions;
using static TorchSharp.torch;
using PatchRefiner = MatteKit.Training.Bgm.PatchRefiner;

namespace MatteKit.Tests.Training;

/// <summary>
/// BGMv2's losses and training steps against the official <c>train_base.py</c> / <c>train_refine.py</c>
/// (<c>shared/reference/bgmv2_training</c>): the Sobel and resize conventions and the loss terms on formula inputs;
/// three Adam steps of the base network and of the whole network (sampling refiner) with train-mode batch norm:
/// losses, outputs, the refiner's patch selection, gradients, batch-norm statistics and parameters. Every measured
/// difference is printed.
/// </summary>
[Trait("Needs", "shared")]
[Collection(TorchCollection.Name)]
public sealed class BgmTrainingReferenceTests
{
    private readonly ITestOutputHelper _log;

    public BgmTrainingReferenceTests(ITestOutputHelper log) => _log = log;

    [SkippableFact]
    public void LossesMatchOfficialComputeLoss()
    {
        using var manifest = BgmTrainingReference.ManifestOrSkip();
        var losses = manifest.RootElement.GetProperty("losses");
        using var scope = NewDisposeScope();
        var inputs = new Dictionary<string, Tensor>();
        foreach (var (name, a, b, c) in new[]
                 {
                     ("pred_pha_lg", 0.5, 0.5, 0.37), ("pred_fgr_lg", 0.5, 0.45, 0.23), ("true_pha_lg", 0.5, 0.7, 0.011),
                     ("true_fgr_lg", 0.5, 0.4, 0.029), ("pred_pha_sm", 0.5, 0.5, 0.41), ("pred_fgr_sm", 0.5, 0.45, 0.19),
                     ("pred_err_sm", 0.3, 0.3, 0.53), ("pred_err_lg", 0.3, 0.3, 0.53),
                 })
        {
            var shape = losses.GetProperty("shapes").GetProperty(name).EnumerateArray().Select(d => d.GetInt64()).ToArray();
            var formula = TrainingReference.Formula(shape, a, b, c);
            if (name == "true_pha_lg") formula = formula.clamp(0, 1);
            // The stored inputs are used; the formula is checked against them (an element near 0 comes out of sin at
            // about 1e-12 and differs in its last bits between C#'s and NumPy's sin, so not bit for bit).
            var stored = BgmTrainingReference.Tensor(losses.GetProperty("files").GetProperty(name));
            double formulaError = (formula - stored).abs().max().item<float>();
            Assert.True(formulaError <= 1e-9, $"{name}: the formula differs from the stored input by {formulaError:E2}");
            inputs[name] = stored;
        }

        var failures = new List<string>();
        void Tensors(string what, Tensor actual, JsonElement file, double tolerance)
        {
            var (max, mean) = AbsDifference.Of(BgmTrainingReference.Floats(file), TorchFrames.Values(actual));
            _log.WriteLine($"{what}: max |difference| {max:E2}, mean {mean:E2}");
            if (max > tolerance) failures.Add($"{what} max {max:E2} > {tolerance:E0}");
        }
        Tensors("sobel(pred_pha_lg)", SobelMagnitude.Of(inputs["pred_pha_lg"]), losses.GetProperty("sobel_of_pred_pha_lg"), 1e-6);
        Tensors("resize(true_pha_lg, 17x23)", Blocks.ResizeTo(inputs["true_pha_lg"], 17, 23), losses.GetProperty("resize_true_pha_lg_to_sm"), 1e-6);

        var baseTerms = BgmBaseLoss.Compute(inputs["pred_pha_lg"], inputs["pred_fgr_lg"], inputs["pred_err_lg"], inputs["true_pha_lg"], inputs["true_fgr_lg"]);
        var refineTerms = BgmRefineLoss.Compute(inputs["pred_pha_lg"], inputs["pred_fgr_lg"], inputs["pred_pha_sm"], inputs["pred_fgr_sm"],
            inputs["pred_err_sm"], inputs["true_pha_lg"], inputs["true_fgr_lg"]);
        foreach (var (kind, terms) in new[] { ("base", baseTerms), ("refine", refineTerms) })
        {
            var values = new Dictionary<string, double>(terms.Values()) { ["total"] = terms.Total.item<float>() };
            var expected = losses.GetProperty(kind);
            Assert.Equal(expected.EnumerateObject().Select(p => p.Name).OrderBy(n => n), values.Keys.OrderBy(n => n));
            foreach (var (key, actual) in values)
            {
                double want = expected.GetProperty(key).GetDouble(), rel = TrainingReference.Relative(actual, want);
                _log.WriteLine($"{kind} {key}: {actual:R} (official {want:R}), relative difference {rel:E2}");
                if (rel > 1e-5) failures.Add($"{kind} {key} relative {rel:E2} > 1e-5");
            }
        }
        Assert.True(failures.Count == 0, string.Join("; ", failures));
    }

    [SkippableTheory]
    [InlineData("base")]
    [InlineData("refine_sampling")]
    public void TrainingStepsMatchOfficialTrainScripts(string caseName)
    {
        using var manifest = BgmTrainingReference.ManifestOrSkip();
        var entry = manifest.RootElement.GetProperty("steps").EnumerateArray().Single(e => e.GetProperty("name").GetString() == caseName);
        var weightsPath = SharedData.Path("models", "bgmv2_mobilenetv2_synthetic.pth");
        SharedData.SkipIfMissing(weightsPath);
        bool refine = entry.GetProperty("model").GetString() == "MattingRefine";
        var groups = entry.GetProperty("groups");
        var rates = new ModuleRates(groups.GetProperty("backbone").GetDouble(), groups.GetProperty("aspp").GetDouble(),
            groups.GetProperty("decoder").GetDouble(), refine ? groups.GetProperty("refiner").GetDouble() : 0);
        Assert.Equal(refine ? BgmOptimizer.OfficialRefine : BgmOptimizer.OfficialBase, rates);

        using var scope = NewDisposeScope();
        var (src, bgr, truePha, trueFgr) = refine ? BgmTrainingReference.Batch(0, 0, 512, 288) : BgmTrainingReference.Batch(128, 64, 256, 144);
        var network = new BgmMattingNetwork(BgmBackbone.MobileNetV2,
            refine ? new PatchRefiner(BgmMattingNetwork.HiddenChannels, RefineMode.Sampling, 20_000, 0.1f) : null, backboneScale: 0.25);
        Assert.Empty(BgmNetworkWeights.Load(network, PyTorchCheckpoint.Read(weightsPath)));
        network.train();
        using var optimizer = new BgmOptimizer(network, rates);
        var parameters = network.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var failures = new List<string>();
        // The official step seeds torch with 0 first: ASPP's dropout draws the same masks from libtorch's generator.
        random.manual_seed(0);
        var steps = entry.GetProperty("steps").EnumerateArray().ToArray();
        for (int step = 0; step < steps.Length; step++)
        {
            var expected = steps[step];
            optimizer.ZeroGrad();
            BgmLossTerms terms;
            var outputs = new Dictionary<string, Tensor>();
            if (refine)
            {
                var o = network.Refine(src, bgr);
                terms = BgmRefineLoss.Compute(o.Alpha, o.Foreground, o.AlphaSmall, o.ForegroundSmall, o.ErrorSmall, truePha, trueFgr);
                (outputs["pred_pha"], outputs["pred_fgr"], outputs["pred_err_sm"], outputs["ref_sm"]) = (o.Alpha, o.Foreground, o.ErrorSmall, o.Selected);
            }
            else
            {
                var o = network.Base(src, bgr);
                terms = BgmBaseLoss.Compute(o.Alpha, o.Foreground, o.Error, truePha, trueFgr);
                (outputs["pred_pha"], outputs["pred_fgr"], outputs["pred_err"]) = (o.Alpha, o.Foreground, o.Error);
            }
            terms.Total.backward();

            var loss = new Dictionary<string, double>(terms.Values()) { ["total"] = terms.Total.item<float>() };
            foreach (var (key, actual) in loss)
            {
                double want = expected.GetProperty("loss").GetProperty(key).GetDouble(), rel = TrainingReference.Relative(actual, want);
                _log.WriteLine($"{caseName} step {step} loss {key}: {actual:G7} (official {want:G7}) relative {rel:E2}");
                double? tolerance = step == 0 ? 1e-4 : key != "total" ? null : step == 1 ? 1e-3 : 5e-2;
                if (rel > tolerance) failures.Add($"step {step} loss {key} relative {rel:E2} > {tolerance:E0}");
            }
            if (step == 0)
            {
                CheckOutputs(caseName, expected, outputs, failures);
                CheckGradients(caseName, expected, parameters, failures);
            }
            optimizer.Step();
            if (step == 0) CheckBatchNorm(caseName, expected, network, failures);
        }
        CheckParametersAfter(caseName, entry, parameters, rates, failures);
        Assert.True(failures.Count == 0, string.Join("; ", failures));
    }

    private void CheckOutputs(string caseName, JsonElement step, Dictionary<string, Tensor> outputs, List<string> failures)
    {
        foreach (var (key, tensor) in outputs)
        {
            var expected = BgmTrainingReference.Floats(step.GetProperty(key));
            var actual = TorchFrames.Values(tensor);
            if (key == "ref_sm")
            {
                int differ = expected.Zip(actual, (e, a) => e != a).Count(d => d);
                _log.WriteLine($"{caseName} step 0 ref_sm: {actual.Count(v => v != 0)} patches selected (official {step.GetProperty("refined_patches").GetInt32()}), {differ} differ");
                if (differ != 0) failures.Add($"ref_sm: {differ} patches differ");
                continue;
            }
            var (max, mean) = AbsDifference.Of(expected, actual);
            _log.WriteLine($"{caseName} step 0 {key}: max |difference| {max:E2}, mean {mean:E2}");
            if (max > 5e-4) failures.Add($"{key} max {max:E2} > 5e-4");
        }
    }

    private void CheckGradients(string caseName, JsonElement step, Dictionary<string, TorchSharp.Modules.Parameter> parameters, List<string> failures)
    {
        const double tolerance = 2e-3;
        var noGrad = step.GetProperty("no_grad").EnumerateArray().Select(e => e.GetString()!).ToHashSet();
        var ours = parameters.Where(p => p.Value.grad is null).Select(p => p.Key).ToHashSet();
        if (!ours.SetEquals(noGrad)) failures.Add($"parameters without a gradient differ: ours {string.Join(",", ours.Except(noGrad))}, official {string.Join(",", noGrad.Except(ours))}");

        // Some gradients are 0 or nearly so in exact arithmetic (in train mode, the shift of a batch norm whose output
        // reaches the loss through convs and another train-mode batch norm, only the zero-padded borders breaking the
        // invariance) and come out as float noise in both engines: measured at 3e-8 to 2.2e-7 of their module's norm
        // and 5% to 30% apart. Below 1e-6 of their module's gradient norm a norm is compared absolutely, not relatively.
        var stats = step.GetProperty("grad_stats").EnumerateObject().ToArray();
        var moduleL2 = stats.GroupBy(s => s.Name[..s.Name.IndexOf('.')])
            .ToDictionary(g => g.Key, g => Math.Sqrt(g.Sum(s => Math.Pow(s.Value.GetProperty("l2").GetDouble(), 2))));
        double worstNorm = 0, worstNoise = 0; string worstKey = "", worstNoiseKey = "";
        foreach (var s in stats)
        {
            var grad = parameters[s.Name].grad;
            if (grad is null) { failures.Add($"{s.Name} has no gradient"); continue; }
            double actual = grad.to(ScalarType.Float64).norm().item<double>(), want = s.Value.GetProperty("l2").GetDouble();
            double floor = 1e-6 * moduleL2[s.Name[..s.Name.IndexOf('.')]];
            if (want < floor)
            {
                double noise = Math.Abs(actual - want) / floor;
                if (noise > worstNoise) (worstNoise, worstNoiseKey) = (noise, s.Name);
                continue;
            }
            double rel = TrainingReference.Relative(actual, want);
            if (rel > worstNorm) (worstNorm, worstKey) = (rel, s.Name);
        }
        _log.WriteLine($"{caseName} gradient L2 norms of {stats.Length} parameters: worst relative difference {worstNorm:E2} ({worstKey})" +
            (worstNoiseKey.Length > 0 ? $"; norms below 1e-6 of their module's: worst |difference| {worstNoise:F2} x that floor ({worstNoiseKey})" : ""));
        if (worstNorm > tolerance) failures.Add($"gradient L2 of {worstKey} relative {worstNorm:E2} > {tolerance:E0}");
        if (worstNoise > 1) failures.Add($"gradient L2 of {worstNoiseKey} off by {worstNoise:F2} x 1e-6 of its module's norm");

        foreach (var watched in step.GetProperty("grads").EnumerateObject())
        {
            var expected = tensor(BgmTrainingReference.Floats(watched.Value)).to(ScalarType.Float64);
            var actual = parameters[watched.Name].grad!.flatten().to(ScalarType.Float64);
            double rel = ((actual - expected).norm() / expected.norm()).item<double>();
            _log.WriteLine($"{caseName} gradient {watched.Name}: relative L2 difference {rel:E2}");
            if (rel > tolerance) failures.Add($"gradient {watched.Name} relative L2 {rel:E2} > {tolerance:E0}");
        }
    }

    private void CheckBatchNorm(string caseName, JsonElement step, TorchSharp.torch.nn.Module network, List<string> failures)
    {
        var modules = network.named_modules().ToDictionary(m => m.name, m => m.module);
        foreach (var bn in step.GetProperty("bn_after_step0").EnumerateObject())
        {
            var norm = (TorchSharp.Modules.BatchNorm2d)modules[bn.Name];
            foreach (var (key, tensor) in new[] { ("running_mean", norm.running_mean!), ("running_var", norm.running_var!) })
            {
                double l2 = tensor.to(ScalarType.Float64).norm().item<double>(), want = bn.Value.GetProperty(key).GetProperty("l2").GetDouble();
                double rel = TrainingReference.Relative(l2, want);
                _log.WriteLine($"{caseName} {bn.Name}.{key} after step 0: L2 {l2:G7} (official {want:G7}) relative {rel:E2}");
                if (rel > 1e-4) failures.Add($"{bn.Name}.{key} L2 relative {rel:E2} > 1e-4");
            }
        }
    }

    private void CheckParametersAfter(string caseName, JsonElement entry, Dictionary<string, TorchSharp.Modules.Parameter> parameters,
        ModuleRates rates, List<string> failures)
    {
        // Not the README's 2e-4 / 4e-6: these steps are chaotic. The same C# code with 1 and with 2 libtorch threads
        // (dropout off, so no random numbers) gives step-1 losses 2.0e-2 (base) and 4.6e-3 (refine) apart and step-2
        // losses 7.0e-3 and 1.0e-2 apart: Adam's first steps move every weight by about its rate whatever the size of
        // its gradient, and the saturated synthetic network turns summation-order noise into different updates. With
        // 2 threads (as the reference) steps 0 and 1 agree closely and step 2 drifts (measured, printed above). What
        // holds whatever the noise: Adam moves a parameter by at most about its rate per step, so two runs differ by
        // at most 2 x 3 x rate; the mean stays below half the rate (measured at most 0.27 of it).
        foreach (var watched in entry.GetProperty("params_after").EnumerateObject())
        {
            var (max, mean) = AbsDifference.Of(BgmTrainingReference.Floats(watched.Value), TorchFrames.Values(parameters[watched.Name]));
            double rate = rates.Of(watched.Name[..watched.Name.IndexOf('.')]);
            _log.WriteLine($"{caseName} {watched.Name} after 3 steps: max |difference| {max:E2}, mean {mean:E2} (rate {rate:G2})");
            if (max > 2 * 3 * rate) failures.Add($"{watched.Name} after 3 steps max {max:E2} > 6 x rate");
            if (mean > rate / 2) failures.Add($"{watched.Name} after 3 steps mean {mean:E2} > rate / 2");
        }
        double worst = 0; string worstKey = "";
        foreach (var stats in entry.GetProperty("param_stats_after").EnumerateObject())
        {
            double rel = TrainingReference.Relative(parameters[stats.Name].to(ScalarType.Float64).norm().item<double>(), stats.Value.GetProperty("l2").GetDouble());
            if (rel > worst) (worst, worstKey) = (rel, stats.Name);
        }
        _log.WriteLine($"{caseName} L2 norms of all {parameters.Count} parameters after 3 steps: worst relative difference {worst:E2} ({worstKey})");
        // Measured at most 2.7e-3 (the chaos above).
        if (worst > 1e-2) failures.Add($"parameter L2 of {worstKey} after 3 steps relative {worst:E2} > 1e-2");
    }
}
