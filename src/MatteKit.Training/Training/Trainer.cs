using System.Diagnostics;
using MatteKit.Rvm;
using MatteKit.Training.Data;
using MatteKit.Training.Losses;
using MatteKit.Training.Network;
using MatteKit.Training.Optimization;
using MatteKit.Training.Recipe;
using MatteKit.Weights;
using static TorchSharp.torch;

namespace MatteKit.Training.Training;

/// <summary>
/// The training loop of the paper's train.py on one process: per step a low-resolution matting pass, a
/// high-resolution one in stages 3-4, and a segmentation pass when there is segmentation data; each is its own
/// Adam step. Stops at the step or time budget, or when <see cref="Stop"/> is called (a signal), and then writes a
/// checkpoint that <c>--resume</c> continues exactly.
/// </summary>
internal sealed class Trainer
{
    private readonly TrainOptions _o;
    private readonly TrainingData _data;
    private readonly Validator? _validator;
    private readonly TextWriter _log;
    private volatile bool _stopRequested;

    public Trainer(TrainOptions options, TrainingData data, Validator? validator, TextWriter log)
    {
        (_o, _data, _validator, _log) = (options, data, validator, log);
    }

    /// <summary>Asks the loop to stop after the pass under way and write its checkpoint.</summary>
    public void Stop() => _stopRequested = true;

    /// <summary>Lines for the summary and the report.</summary>
    public List<string> Summary { get; } = new();

    /// <summary>Trains; true when the budget was reached, false when stopped early (a checkpoint was written).</summary>
    public bool Run()
    {
        set_num_threads(_o.Threads);
        var preset = _o.Preset;
        var baseWeights = WeightsFile.LoadOrDefault(_o.Weights);
        // Stages 3-4 train the deep guided filter; otherwise the base's refiner is kept.
        var refiner = preset.HighResolution || DeepGuidedFilter.IsIn(baseWeights) ? RvmRefiner.DeepGuidedFilter : RvmRefiner.FastGuidedFilter;
        manual_seed((long)(_o.Seed & 0x7fffffff));
        var network = NetworkWeights.Create(baseWeights, refiner, out var initialised);
        if (initialised.Count > 0) Summary.Add($"started from PyTorch's default initialisation (the base has none): {string.Join(", ", initialised.Select(k => k[..k.LastIndexOf('.')]).Distinct())}");
        var optimizer = new NetworkOptimizer(network, preset.RatesAt(0));
        var random = new TrainingRandom(_o.Seed);
        Checkpoint state;
        if (_o.Resume is not null)
        {
            state = Checkpoint.Read(_o.Resume, header =>
            {
                if (header.Preset != preset.Name || header.Width != _o.Width || header.Height != _o.Height || header.Frames != _o.Frames
                    || (preset.HighResolution && (header.HighWidth != _o.HighWidth || header.HighHeight != _o.HighHeight || header.HighFrames != _o.HighFrames)))
                    throw new ArgumentException($"--resume {_o.Resume}: was written by a {header.Preset} run at {header.Width}x{header.Height}, T={header.Frames}" +
                        (preset.HighResolution ? $", high resolution {header.HighWidth}x{header.HighHeight}, T={header.HighFrames}" : "") +
                        "; resume with the same --preset, --size, --seq-length, --hr-size and --hr-seq-length");
                return (network, optimizer);
            });
            random = new TrainingRandom(state.RandomState);
            Summary.Add($"resumed from {_o.Resume} at step {state.Step}");
        }
        else
            state = NewState(0, 0, random, new(), new(), double.PositiveInfinity, -1);

        Action trainingMode = preset.FrozenBatchNorm ? network.TrainWithFrozenBatchNorm : () => network.train();
        trainingMode();
        var history = state.History;
        var validation = state.Validation;
        double bestMad = state.BestMad;
        long bestStep = state.BestStep;
        long step = state.Step;
        var clock = Stopwatch.StartNew();
        double secondsBefore = state.Seconds;
        byte[]? beforeAlpha = null;
        if (_validator is not null && step == 0)
        {
            // The base weights are scored and written first: if no step beats them, they are what --out gets.
            (bestMad, bestStep) = Validate(network, 0, trainingMode, validation, bestMad, bestStep);
            beforeAlpha = AlphaPng(_validator.ReportAlpha!);
        }

        var progress = new TrainingProgress(_o, _log);
        bool finished = false;
        while (true)
        {
            double elapsed = secondsBefore + clock.Elapsed.TotalSeconds;
            if (_o.Steps is { } maxSteps && step >= maxSteps) { finished = true; break; }
            if (_o.Minutes is { } minutes && elapsed >= minutes * 60) { finished = true; break; }
            if (_stopRequested) break;

            optimizer.SetRates(preset.RatesAt(step));
            var losses = new Dictionary<string, double>();
            using (var scope = NewDisposeScope())
            {
                var (src, fgr, pha) = _data.NextMatting(random, _o.Frames, _o.Width, _o.Height);
                var cropped = Augmentation.TrainCrop(random, new[] { src, fgr, pha });
                foreach (var (k, v) in MattingStep(network, optimizer, cropped[0], cropped[1], cropped[2], 1)) losses[k] = v;
            }
            if (preset.HighResolution && !_stopRequested)
            {
                using var scope = NewDisposeScope();
                var (src, fgr, pha) = _data.NextMatting(random, _o.HighFrames, _o.HighWidth, _o.HighHeight);
                foreach (var (k, v) in MattingStep(network, optimizer, src, fgr, pha, TrainingPreset.HighResolutionRatio)) losses["hr_" + k] = v;
            }
            if (_data.HasSegmentation && !_stopRequested)
            {
                using var scope = NewDisposeScope();
                var (images, masks) = _data.NextSegmentation(random, step, _o.Frames, _o.Width, _o.Height);
                optimizer.ZeroGrad();
                var (logits, _) = network.Segment(images);
                var loss = SegmentationLoss.Compute(logits, masks);
                loss.backward();
                optimizer.Step();
                losses["seg"] = loss.item<float>();
            }
            step++;
            elapsed = secondsBefore + clock.Elapsed.TotalSeconds;
            history.Add(new StepRecord(step, elapsed, losses));
            progress.Report(step, elapsed, losses);

            if (_validator is not null && step % _o.ValidEvery == 0)
                (bestMad, bestStep) = Validate(network, step, trainingMode, validation, bestMad, bestStep);
        }
        progress.Finish();

        double total = secondsBefore + clock.Elapsed.TotalSeconds;
        if (_validator is not null && (validation.Count == 0 || validation[^1].Step != step) && finished)
            (bestMad, bestStep) = Validate(network, step, trainingMode, validation, bestMad, bestStep);
        NewState(step, total, random, history, validation, bestMad, bestStep).Save(_o.CheckpointPath, network, optimizer);
        if (finished && _validator is null) NetworkWeights.SavePth(network, _o.Output);

        double stepsPerSecond = history.Count(h => h.Step > state.Step) / Math.Max(1e-9, total - secondsBefore);
        Summary.Add($"{step} steps in {total:F0} s ({stepsPerSecond:F2} steps/s this run), preset {preset.Name}, {_o.Width}x{_o.Height}, T={_o.Frames}, {_o.Threads} threads");
        if (history.Count > 0) Summary.Add("last losses: " + string.Join(", ", history[^1].Losses.Select(kv => $"{kv.Key} {kv.Value:F4}")));
        if (validation.Count > 0)
            Summary.Add($"validation MAD: {validation[0].Mad:F3} before, {validation[^1].Mad:F3} at step {validation[^1].Step}, best {bestMad:F3} at step {bestStep} (kept in {_o.Output})");

        if (_o.Report is not null && finished)
        {
            var pictures = new List<(string, byte[])>();
            if (_validator is not null)
            {
                var (com, pha, index) = _validator.ReportFrame;
                pictures.Add(($"composite (validation frame {index})", TrainingReport.Png((int)com.shape[3], (int)com.shape[2], ImageTensors.ToInterleavedBytes(com[index]), 3)));
                pictures.Add(("true alpha", AlphaPng(pha[index, 0])));
                if (beforeAlpha is not null) pictures.Add(("alpha, base weights", beforeAlpha));
                // A finished run validates its last step; only a resumed run with nothing left to do has no alpha here.
                if (_validator.ReportAlpha is { } after) pictures.Add(($"alpha after {step} steps", AlphaPng(after)));
            }
            TrainingReport.Write(_o.Report, $"MatteKit training: {Path.GetFileName(_o.Output)}", Summary.Concat(_data.Descriptions).ToList(), history, validation, pictures);
        }
        return finished;
    }

    private (double, long) Validate(MattingNetwork network, long step, Action trainingMode, List<ValidationRecord> validation, double bestMad, long bestStep)
    {
        var v = _validator!.Score(network, step, trainingMode);
        validation.Add(v);
        string note = "";
        if (v.Mad < bestMad)
        {
            (bestMad, bestStep) = (v.Mad, step);
            NetworkWeights.SavePth(network, _o.Output);
            note = $" (best so far: written to {_o.Output})";
        }
        _log.WriteLine($"validation at step {step}: MAD {v.Mad:F3}  MSE {v.Mse:F3}  Grad {v.Grad:F3}  dtSSD {v.DtSsd:F3}{note}");
        return (bestMad, bestStep);
    }

    private static Dictionary<string, double> MattingStep(MattingNetwork network, NetworkOptimizer optimizer, Tensor src, Tensor fgr, Tensor pha, double ratio)
    {
        optimizer.ZeroGrad();
        var (predFgr, predPha, _) = network.Matte(src, null, ratio);
        var terms = MattingLoss.Compute(predFgr, predPha, fgr, pha);
        var total = terms.Total;
        total.backward();
        optimizer.Step();
        return new Dictionary<string, double>(terms.Values()) { ["total"] = total.item<float>() };
    }

    private Checkpoint NewState(long step, double seconds, TrainingRandom random, List<StepRecord> history, List<ValidationRecord> validation, double bestMad, long bestStep) => new()
    {
        Preset = _o.Preset.Name, Width = _o.Width, Height = _o.Height, Frames = _o.Frames,
        HighWidth = _o.Preset.HighResolution ? _o.HighWidth : 0, HighHeight = _o.Preset.HighResolution ? _o.HighHeight : 0,
        HighFrames = _o.Preset.HighResolution ? _o.HighFrames : 0,
        Step = step, Seconds = seconds, RandomState = random.State, History = history, Validation = validation, BestMad = bestMad, BestStep = bestStep,
    };

    private static byte[] AlphaPng(Tensor alpha) =>
        TrainingReport.Png((int)alpha.shape[^1], (int)alpha.shape[^2], ImageTensors.ToInterleavedBytes(alpha.unsqueeze(0)), 1);
}
