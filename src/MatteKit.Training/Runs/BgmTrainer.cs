using System.Diagnostics;
using MatteKit.Bgm;
using MatteKit.Training.Bgm;
using MatteKit.Training.Data;
using MatteKit.Training.Losses;
using MatteKit.Training.Optimization;
using static TorchSharp.torch;

namespace MatteKit.Training.Runs;

/// <summary>
/// BGMv2's base stage as the official <c>train_base.py</c> runs it: the base network (<c>MattingBase</c>) on frame
/// and plate at the training size, train-mode batch norm, the official loss and Adam with the official rates per
/// module, one step per batch of <see cref="BatchSize"/> composites. Stops at the step or time budget or on a
/// signal and writes the weights so far to --out (a <c>MattingBase</c> state dict, official keys and order).
/// </summary>
internal sealed class BgmTrainer
{
    /// <summary>Composites per step (the official script takes 8 per GPU; 2 keeps a CPU step short).</summary>
    public const int BatchSize = 2;

    private readonly TrainOptions _o;
    private readonly TrainingInterruption _interruption;
    private readonly TextWriter _log;
    private BgmMattingNetwork? _network;
    private BgmOptimizer? _optimizer;

    public BgmTrainer(TrainOptions options, TrainingInterruption interruption, TextWriter log)
    {
        (_o, _interruption, _log) = (options, interruption, log);
    }

    /// <summary>Lines for the summary.</summary>
    public List<string> Summary { get; } = new();

    /// <summary>Bytes of the network's tensors (parameters and buffers), known after <see cref="Prepare"/>.</summary>
    public long StateBytes { get; private set; }

    /// <summary>The base weights (when given), the network and Adam: checked before the data loads.</summary>
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
        var network = new BgmMattingNetwork(backbone, refiner: null);
        if (weights is null)
            Summary.Add($"no --weights: the {backbone} base network starts from PyTorch's default initialisation (the official recipe starts its backbone from ImageNet weights)");
        else if (BgmNetworkWeights.Load(network, weights) is { Count: > 0 } fresh)
            Summary.Add($"started from PyTorch's default initialisation (the base has none): {string.Join(", ", fresh.Select(k => k[..k.LastIndexOf('.')]).Distinct())}");
        StateBytes = network.state_dict().Values.Sum(t => t.NumberOfElements * t.ElementSize);
        (_network, _optimizer) = (network, new BgmOptimizer(network, BgmOptimizer.OfficialBase));
    }

    /// <summary>Trains until the budget, a signal or a failure; writes --out unless writing failed.</summary>
    public TrainingResult Run(TrainingData data)
    {
        if (_network is not { } network || _optimizer is not { } optimizer) throw new InvalidOperationException("Prepare comes before Run");
        var random = new TrainingRandom(_o.Seed);
        network.train();
        long step = 0;
        var clock = Stopwatch.StartNew();
        var end = TrainingEnd.Stopped;
        Exception? failure = null;
        Dictionary<string, double>? last = null;
        _interruption.TrainingStarted("the weights so far to --out");
        var progress = new TrainingProgress(_o, _log);
        try
        {
            while (true)
            {
                if (_o.Steps is { } maxSteps && step >= maxSteps) { end = TrainingEnd.Finished; break; }
                if (_o.Minutes is { } minutes && clock.Elapsed.TotalSeconds >= minutes * 60) { end = TrainingEnd.Finished; break; }
                if (_interruption.StopRequested) break;
                using var scope = NewDisposeScope();
                Tensor src, bgr, fgr, pha;
                try
                {
                    var samples = Enumerable.Range(0, BatchSize).Select(_ => data.NextPlateMatting(random, _o.Width, _o.Height)).ToList();
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
                var output = network.Base(src, bgr);
                var terms = BgmBaseLoss.Compute(output.Alpha, output.Foreground, output.Error, pha, fgr);
                terms.Total.backward();
                // The backward pass runs inside libtorch and is not cut short; a second signal drops its gradients here.
                _interruption.Quit.ThrowIfCancellationRequested();
                optimizer.Step();
                step++;
                last = new Dictionary<string, double>(terms.Values()) { ["total"] = terms.Total.item<float>() };
                progress.Report(step, clock.Elapsed.TotalSeconds, last);
            }
        }
        catch (OperationCanceledException) when (_interruption.Quit.IsCancellationRequested)
        {
            end = TrainingEnd.Stopped;
        }
        progress.Finish();

        double seconds = clock.Elapsed.TotalSeconds;
        Summary.Add($"{step} steps in {seconds:F0} s ({step / Math.Max(1e-9, seconds):F2} steps/s), BGMv2 {network.Backbone} base network, " +
                    $"batch {BatchSize} of {_o.Width}x{_o.Height}, {_o.Threads} threads");
        if (last is not null) Summary.Add("last losses: " + string.Join(", ", last.Select(kv => $"{kv.Key} {kv.Value:F4}")));
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
        return new TrainingResult(end, step, null, failure);
    }
}
