using System.Diagnostics;
using MatteKit.Bgm;
using MatteKit.Training.Bgm;
using MatteKit.Training.Data;
using MatteKit.Training.Losses;
using MatteKit.Training.Optimization;
using static TorchSharp.torch;
using PatchRefiner = MatteKit.Training.Bgm.PatchRefiner;

namespace MatteKit.Training.Runs;

/// <summary>
/// BGMv2's two stages as the official scripts run them. Base (<c>train_base.py</c>): the base network on frame and
/// plate at --size with the base loss and rates. Refine (<c>train_refine.py</c>): the whole network
/// (<c>MattingRefine</c>, backbone scale 0.25, the refiner sampling 80,000 pixels a frame) at the refine size with
/// the refine loss and rates, a fresh Adam, starting from the base stage's weights. Both stages use train-mode batch
/// norm and batches of <see cref="TrainOptions.BgmBatchSize"/> composites; without --stage the base stage takes the
/// first half of the budget (steps or minutes), the refine stage the rest. Stops at the budget or on a signal and
/// writes the weights so far to --out: a <c>MattingRefine</c> state dict when the refine stage is part of the run,
/// else a <c>MattingBase</c> one (official keys and order).
/// </summary>
internal sealed class BgmTrainer
{
    /// <summary>The official train_refine.py's refiner: sampling mode, 80,000 pixels (5,000 4x4 patches) a frame.</summary>
    public const int RefineSamplePixels = 80_000;

    /// <summary>train_refine.py's default threshold (stored nowhere in the weights; unused in sampling mode).</summary>
    private const float RefineThreshold = 0.7f;

    /// <summary>train_refine.py's backbone scale: the base network sees the frame at a quarter of its size.</summary>
    public const double BackboneScale = 0.25;

    /// <summary>The parts of the loss curve the summary prints per stage (means of equal runs of steps).</summary>
    private const int CurvePoints = 10;

    private readonly TrainOptions _o;
    private readonly TrainingInterruption _interruption;
    private readonly TextWriter _log;
    private BgmMattingNetwork? _network;
    private long _step;

    public BgmTrainer(TrainOptions options, TrainingInterruption interruption, TextWriter log)
    {
        (_o, _interruption, _log) = (options, interruption, log);
    }

    /// <summary>Lines for the summary.</summary>
    public List<string> Summary { get; } = new();

    /// <summary>Bytes of the network's tensors (parameters and buffers), known after <see cref="Prepare"/>.</summary>
    public long StateBytes { get; private set; }

    /// <summary>Whether --out gets the whole network (the refine stage is part of the run).</summary>
    public bool WritesWholeNetwork => _o.TrainsBgmRefine;

    /// <summary>The starting weights (when given) and the network: checked before the data loads.</summary>
    public void Prepare()
    {
        set_num_threads(_o.Threads);
        manual_seed((long)(_o.Seed & 0x7fffffff));
        var weights = _o.Weights is null ? null : WeightsFile.Load(_o.Weights);
        var backbone = weights is null ? _o.Backbone ?? BgmBackbone.MobileNetV2 : BgmNetworkWeights.BackboneOf(weights);
        if (weights is not null && _o.Backbone is { } asked && asked != backbone)
            throw new ArgumentException($"--backbone {asked.ToString().ToLowerInvariant()}: --weights {_o.Weights} holds a {backbone} network");
        if (backbone is not (BgmBackbone.MobileNetV2 or BgmBackbone.ResNet50))
            throw new ArgumentException($"--weights {_o.Weights}: a {backbone} network; training supports MobileNetV2 and ResNet-50");
        var refiner = _o.TrainsBgmRefine ? new PatchRefiner(BgmMattingNetwork.HiddenChannels, RefineMode.Sampling, RefineSamplePixels, RefineThreshold) : null;
        var network = new BgmMattingNetwork(backbone, refiner, BackboneScale);
        if (weights is null)
            Summary.Add($"no --weights: the {backbone} network starts from PyTorch's default initialisation (the official recipe starts its backbone from ImageNet weights)");
        else if (BgmNetworkWeights.Load(network, weights) is { Count: > 0 } fresh)
            Summary.Add($"started from PyTorch's default initialisation (--weights has none): {string.Join(", ", fresh.Select(k => k[..k.LastIndexOf('.')]).Distinct())}");
        StateBytes = network.state_dict().Values.Sum(t => t.NumberOfElements * t.ElementSize);
        _network = network;
    }

    /// <summary>Trains until the budget, a signal or a failure; writes --out unless writing failed.</summary>
    public TrainingResult Run(TrainingData data)
    {
        if (_network is not { } network) throw new InvalidOperationException("Prepare comes before Run");
        var random = new TrainingRandom(_o.Seed);
        network.train();
        _step = 0;
        var clock = Stopwatch.StartNew();
        var end = TrainingEnd.Finished;
        Exception? failure = null;
        Stage? current = null;
        _interruption.TrainingStarted("the weights so far to --out");
        var progress = new TrainingProgress(_o, _log);
        var stages = new List<Stage>();
        if (_o.TrainsBgmBase) stages.Add(Stage.Base);
        if (_o.TrainsBgmRefine) stages.Add(Stage.Refine);
        try
        {
            for (int i = 0; i < stages.Count && end == TrainingEnd.Finished; i++)
            {
                bool last = i == stages.Count - 1;
                // Without --stage the base stage gets the first half of the budget and the refine stage the rest.
                long? stepLimit = _o.Steps is { } s ? (last ? s : s / 2) : null;
                double? secondsLimit = _o.Minutes is { } m ? (last ? m * 60 : m * 30) : null;
                current = stages[i];
                (end, failure) = RunStage(stages[i], network, data, random, stepLimit, secondsLimit, clock, progress);
            }
        }
        catch (OperationCanceledException) when (_interruption.Quit.IsCancellationRequested)
        {
            end = TrainingEnd.Stopped;
        }
        progress.Finish();

        if (end == TrainingEnd.Stopped && current == Stage.Base && _o.TrainsBgmRefine)
            Summary.Add("stopped in the base stage: the refiner in --out has not been trained (its initialisation)");
        if (end is TrainingEnd.Finished or TrainingEnd.Stopped)
        {
            try
            {
                BgmNetworkWeights.SavePth(network, _o.Output);
            }
            catch (Exception e) when (e is MediaFormatException or IOException or UnauthorizedAccessException)
            {
                (end, failure) = (TrainingEnd.OutputFailed, e as MediaFormatException ?? new MediaFormatException(_o.Output, "cannot be written: " + e.Message));
            }
        }
        return new TrainingResult(end, _step, null, failure);
    }

    /// <summary>
    /// One stage with its own Adam, until the step count of the run reaches <paramref name="stepLimit"/>, the clock
    /// <paramref name="secondsLimit"/>, a signal or a data failure.
    /// </summary>
    private (TrainingEnd End, Exception? Failure) RunStage(Stage stage, BgmMattingNetwork network, TrainingData data, TrainingRandom random,
        long? stepLimit, double? secondsLimit, Stopwatch clock, TrainingProgress progress)
    {
        bool refine = stage == Stage.Refine;
        var (width, height) = refine ? _o.RefineSize : (_o.Width, _o.Height);
        using var optimizer = new BgmOptimizer(network, refine ? BgmOptimizer.OfficialRefine : BgmOptimizer.OfficialBase, trainsRefiner: refine);
        long first = _step;
        double started = clock.Elapsed.TotalSeconds;
        var totals = new List<double>();
        Dictionary<string, double>? lastLosses = null;
        var end = TrainingEnd.Stopped;
        Exception? failure = null;
        long refinedPatches = 0, patches = 0;
        try
        {
            while (true)
            {
                if (stepLimit is { } maxSteps && _step >= maxSteps) { end = TrainingEnd.Finished; break; }
                if (secondsLimit is { } seconds && clock.Elapsed.TotalSeconds >= seconds) { end = TrainingEnd.Finished; break; }
                if (_interruption.StopRequested) break;
                using var scope = NewDisposeScope();
                Tensor src, bgr, fgr, pha;
                try
                {
                    var samples = Enumerable.Range(0, TrainOptions.BgmBatchSize).Select(_ => data.NextPlateMatting(random, width, height)).ToList();
                    (src, bgr, fgr, pha) = (stack(samples.Select(s => s.Source)), stack(samples.Select(s => s.Plate)),
                        stack(samples.Select(s => s.Foreground)), stack(samples.Select(s => s.Alpha)));
                }
                catch (Exception e) when (e is MediaFormatException or IOException or UnauthorizedAccessException)
                {
                    // A frame that passed the checks at load (its header) but not its decoding, or a file gone since.
                    (end, failure) = (TrainingEnd.DataFailed, e);
                    break;
                }
                optimizer.ZeroGrad();
                BgmLossTerms terms;
                if (refine)
                {
                    var output = network.Refine(src, bgr);
                    terms = BgmRefineLoss.Compute(output.Alpha, output.Foreground, output.AlphaSmall, output.ForegroundSmall, output.ErrorSmall, pha, fgr);
                    refinedPatches += (long)output.Selected.sum().item<float>();
                    patches += output.Selected.NumberOfElements;
                }
                else
                {
                    var output = network.Base(src, bgr);
                    terms = BgmBaseLoss.Compute(output.Alpha, output.Foreground, output.Error, pha, fgr);
                }
                terms.Total.backward();
                // The backward pass runs inside libtorch and is not cut short; a second signal drops its gradients here.
                _interruption.Quit.ThrowIfCancellationRequested();
                optimizer.Step();
                _step++;
                lastLosses = new Dictionary<string, double>(terms.Values()) { ["total"] = terms.Total.item<float>() };
                totals.Add(lastLosses["total"]);
                progress.Report(_step, clock.Elapsed.TotalSeconds, lastLosses);
            }
        }
        finally
        {
            double seconds = clock.Elapsed.TotalSeconds - started;
            long steps = _step - first;
            string extra = refine
                ? $" (the base network at {(int)Math.Floor(width * BackboneScale)}x{(int)Math.Floor(height * BackboneScale)}; {(patches == 0 ? 0 : 100.0 * refinedPatches / patches):F0}% of the 4x4 patches refined)"
                : "";
            Summary.Add($"{stage.Name} stage: {steps} steps in {seconds:F0} s ({steps / Math.Max(1e-9, seconds):F2} steps/s), BGMv2 {network.Backbone} {stage.Network}, " +
                        $"batch {TrainOptions.BgmBatchSize} of {width}x{height}{extra}, rates {optimizer.Rates}, {_o.Threads} threads");
            if (totals.Count > 0) Summary.Add($"{stage.Name} loss curve (mean total loss of each tenth of its steps): {string.Join(" ", Curve(totals).Select(v => v.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)))}");
            if (lastLosses is not null) Summary.Add($"{stage.Name} last losses: " + string.Join(", ", lastLosses.Select(kv => $"{kv.Key} {kv.Value:F4}")));
        }
        return (end, failure);
    }

    /// <summary>The means of up to <see cref="CurvePoints"/> equal runs of consecutive values.</summary>
    public static IReadOnlyList<double> Curve(IReadOnlyList<double> values)
    {
        int points = Math.Min(CurvePoints, values.Count);
        return Enumerable.Range(0, points).Select(p =>
        {
            int from = (int)((long)values.Count * p / points), to = (int)((long)values.Count * (p + 1) / points);
            return values.Skip(from).Take(to - from).Average();
        }).ToList();
    }

    private sealed record Stage(string Name, string Network)
    {
        public static readonly Stage Base = new("base", "base network");
        public static readonly Stage Refine = new("refine", "whole network");
    }
}
