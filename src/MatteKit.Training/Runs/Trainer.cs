using System.Diagnostics;
using MatteKit.Rvm;
using MatteKit.Training.Data;
using MatteKit.Training.Losses;
using MatteKit.Training.Network;
using MatteKit.Training.Optimization;
using MatteKit.Training.Recipe;
using static TorchSharp.torch;

namespace MatteKit.Training.Runs;

/// <summary>
/// The training loop of the paper's train.py on one process: per step a low-resolution matting pass, a
/// high-resolution one in stages 3-4, and a segmentation pass when there is segmentation data; each is its own
/// Adam step. Stops at the step or time budget, on a signal, on a frame that turns out unreadable, or when an
/// output cannot be written, and in every case writes a checkpoint that <c>--resume</c> continues (exactly, when
/// the step was not cut short).
/// </summary>
internal sealed partial class Trainer
{
    private readonly TrainOptions _o;
    private readonly TrainingInterruption _interruption;
    private readonly TextWriter _log;
    private MattingNetwork? _network;
    private NetworkOptimizer? _optimizer;
    private Checkpoint? _start;
    // The checkpoint's best validated weights are not in --out (a new --out): this run's best starts over.
    private bool _bestStartsOver;

    public Trainer(TrainOptions options, TrainingInterruption interruption, TextWriter log)
    {
        (_o, _interruption, _log) = (options, interruption, log);
    }

    /// <summary>Lines for the summary and the report.</summary>
    public List<string> Summary { get; } = new();

    /// <summary>Bytes of the network's tensors (parameters and buffers), known after <see cref="Prepare"/>.</summary>
    public long StateBytes { get; private set; }

    /// <summary>
    /// The base weights, the network and Adam, and the <c>--resume</c> checkpoint: everything but the data, so
    /// that a bad checkpoint, and the outputs' sizes, are known before the data loads.
    /// </summary>
    public void Prepare()
    {
        set_num_threads(_o.Threads);
        var preset = _o.Preset;
        var baseWeights = WeightsFile.LoadOrDefault(_o.Weights);
        // Stages 3-4 train the deep guided filter; otherwise the base's refiner is kept.
        var refiner = preset.HighResolution || DeepGuidedFilter.IsIn(baseWeights) ? RvmRefiner.DeepGuidedFilter : RvmRefiner.FastGuidedFilter;
        manual_seed((long)(_o.Seed & 0x7fffffff));
        var network = NetworkWeights.Create(baseWeights, refiner, out var initialised);
        // A resumed run's network is the checkpoint's (its line below), whatever the base held.
        if (initialised.Count > 0 && _o.Resume is null) Summary.Add($"started from PyTorch's default initialisation (the base has none): {string.Join(", ", initialised.Select(k => k[..k.LastIndexOf('.')]).Distinct())}");
        var optimizer = new NetworkOptimizer(network, preset.RatesAt(0));
        if (_o.Resume is not null)
        {
            _start = Checkpoint.Read(_o.Resume, _o.Steps, header =>
            {
                if (header.Preset != preset.Name || header.Width != _o.Width || header.Height != _o.Height || header.Frames != _o.Frames
                    || (preset.HighResolution && (header.HighWidth != _o.HighWidth || header.HighHeight != _o.HighHeight || header.HighFrames != _o.HighFrames)))
                    throw new ArgumentException($"--resume {_o.Resume}: was written by a {Media.PrintableText.Excerpt(header.Preset, 120)} run at {header.Width}x{header.Height}, T={header.Frames}" +
                        (preset.HighResolution ? $", high resolution {header.HighWidth}x{header.HighHeight}, T={header.HighFrames}" : "") +
                        "; resume with the same --preset, --size, --seq-length, --hr-size and --hr-seq-length");
                return (network, optimizer);
            });
            Summary.Add($"resumed from {_o.Resume} at step {_start.Step}");
            if (EarlierCheckpoint.BestStartsOver(_o, _start.BestStep) is { } line)
            {
                Summary.Add(line);
                _bestStartsOver = true;
            }
        }
        StateBytes = network.state_dict().Values.Sum(t => t.NumberOfElements * t.ElementSize);
        network.Cancellation = _interruption.Quit;
        (_network, _optimizer) = (network, optimizer);
    }

    /// <summary>Trains from where <see cref="Prepare"/> left the network until the budget, a signal or a failure.</summary>
    public TrainingResult Run(TrainingData data, Validator? validator)
    {
        if (_network is not { } network || _optimizer is not { } optimizer) throw new InvalidOperationException("Prepare comes before Run");
        var preset = _o.Preset;
        var state = _start ?? NewState(0, 0, new TrainingRandom(_o.Seed), new(), new(), double.PositiveInfinity, -1);
        var random = new TrainingRandom(state.RandomState);
        Action trainingMode = preset.FrozenBatchNorm ? network.TrainWithFrozenBatchNorm : () => network.train();
        trainingMode();
        var history = state.History;
        var validation = state.Validation;
        // A checkpoint written before the records were bounded may hold more than they now keep.
        StepHistory.Bound(history);
        StepHistory.Bound(validation);
        double bestMad = _bestStartsOver ? double.PositiveInfinity : state.BestMad;
        long bestStep = _bestStartsOver ? -1 : state.BestStep;
        long step = state.Step;
        var clock = Stopwatch.StartNew();
        double secondsBefore = state.Seconds;
        byte[]? beforeAlpha = null;
        var end = TrainingEnd.Stopped;
        Exception? failure = null;
        // The data stream as it was before the step under way: what a checkpoint keeps when no pass of it was taken.
        ulong randomBefore = random.State;
        bool passTaken = false;

        _interruption.TrainingStarted();
        var progress = new TrainingProgress(_o, _log);
        try
        {
            if (validator is not null && step == 0)
            {
                // The base weights are scored and written first: if no step beats them, they are what --out gets.
                (bestMad, bestStep) = Validate(validator, network, 0, trainingMode, validation, bestMad, bestStep);
                if (validator.ReportAlpha is { } alpha) beforeAlpha = Validator.AlphaPng(alpha);
            }
            while (true)
            {
                double elapsed = secondsBefore + clock.Elapsed.TotalSeconds;
                if (_o.Steps is { } maxSteps && step >= maxSteps) { end = TrainingEnd.Finished; break; }
                if (_o.Minutes is { } minutes && elapsed >= minutes * 60) { end = TrainingEnd.Finished; break; }
                if (_interruption.StopRequested) break;

                randomBefore = random.State;
                passTaken = false;
                optimizer.SetRates(preset.RatesAt(step));
                var losses = new Dictionary<string, double>();
                using (NewDisposeScope())
                {
                    StepBatches batches;
                    try
                    {
                        batches = NextBatches(data, random, step);
                    }
                    catch (Exception e) when (e is MediaFormatException or IOException or UnauthorizedAccessException)
                    {
                        // A frame that passed the checks at load (its header) but not its decoding, or a file gone since.
                        (end, failure) = (TrainingEnd.DataFailed, e);
                        break;
                    }
                    using (NewDisposeScope())
                        foreach (var (k, v) in MattingStep(network, optimizer, batches.Low[0], batches.Low[1], batches.Low[2], 1)) losses[k] = v;
                    passTaken = true; // the step counts, whatever happens to the rest of it
                    if (batches.High is { } high && !_interruption.StopRequested)
                    {
                        using var scope = NewDisposeScope();
                        foreach (var (k, v) in MattingStep(network, optimizer, high[0], high[1], high[2], TrainingPreset.HighResolutionRatio)) losses["hr_" + k] = v;
                    }
                    if (batches.Segmentation is { } segmentation && !_interruption.StopRequested)
                    {
                        using var scope = NewDisposeScope();
                        optimizer.ZeroGrad();
                        var (logits, _) = network.Segment(segmentation.Images);
                        var loss = SegmentationLoss.Compute(logits, segmentation.Masks);
                        loss.backward();
                        _interruption.Quit.ThrowIfCancellationRequested();
                        optimizer.Step();
                        losses["seg"] = loss.item<float>();
                    }
                }
                passTaken = false;
                randomBefore = random.State;
                step++;
                elapsed = secondsBefore + clock.Elapsed.TotalSeconds;
                StepHistory.Add(history, new StepRecord(step, elapsed, losses));
                progress.Report(step, elapsed, losses);

                if (validator is not null && step % _o.ValidEvery == 0)
                {
                    (bestMad, bestStep) = Validate(validator, network, step, trainingMode, validation, bestMad, bestStep);
                    // --out has just been written: the checkpoint goes with it, so that a run killed outright (an
                    // out-of-memory kill, a lost node) resumes from these weights, not from the run's start, and never
                    // replaces --out with weights worse than those it holds.
                    if (bestStep == step)
                    {
                        var withOut = NewState(step, elapsed, new TrainingRandom(random.State), history, validation, bestMad, bestStep);
                        SaveCheckpointWithOut(_o.CheckpointPath, step, _log, path => withOut.Save(path, network, optimizer));
                    }
                }
            }
            if (end == TrainingEnd.Finished && validator is not null && (validation.Count == 0 || validation[^1].Step != step))
                (bestMad, bestStep) = Validate(validator, network, step, trainingMode, validation, bestMad, bestStep);
        }
        catch (OperationCanceledException) when (_interruption.Quit.IsCancellationRequested)
        {
            // A second signal: the pass under way was abandoned between two operations; its gradients are dropped.
            end = TrainingEnd.Stopped;
            if (passTaken)
            {
                step++;
                randomBefore = random.State;
            }
        }
        catch (Exception e) when (e is MediaFormatException or IOException or UnauthorizedAccessException)
        {
            // Only outputs throw here (the data's errors are caught where it is read): --out written at a validation.
            (end, failure) = (TrainingEnd.OutputFailed, WriteFailure(_o.Output, e));
        }
        progress.Finish();

        double total = secondsBefore + clock.Elapsed.TotalSeconds;
        var checkpoint = NewState(step, total, new TrainingRandom(randomBefore), history, validation, bestMad, bestStep);
        string? checkpointPath = SaveCheckpoint(checkpoint, network, optimizer, ref failure);
        if (failure is not null && end is TrainingEnd.Finished or TrainingEnd.Stopped) end = TrainingEnd.OutputFailed;

        double stepsPerSecond = (step - state.Step) / Math.Max(1e-9, total - secondsBefore);
        Summary.Add($"{step} steps in {total:F0} s ({stepsPerSecond:F2} steps/s this run), preset {preset.Name}, {_o.Width}x{_o.Height}, T={_o.Frames}, {_o.Threads} threads");
        if (history.Count > 0) Summary.Add("last losses: " + string.Join(", ", history[^1].Losses.Select(kv => $"{kv.Key} {kv.Value:F4}")));
        if (validation.Count > 0)
            Summary.Add($"validation MAD: {validation[0].Mad:F3} before, {validation[^1].Mad:F3} at step {validation[^1].Step}, best {bestMad:F3} at step {bestStep} (kept in {_o.Output})");

        if (end == TrainingEnd.Finished)
        {
            string writing = _o.Output;
            try
            {
                if (validator is null) NetworkWeights.SavePth(network, _o.Output);
                writing = _o.Report ?? _o.Output;
                if (_o.Report is { } report) WriteReport(report, validator, data, history, validation, beforeAlpha, step);
            }
            catch (Exception e) when (e is MediaFormatException or IOException or UnauthorizedAccessException)
            {
                (end, failure) = (TrainingEnd.OutputFailed, WriteFailure(writing, e));
            }
        }
        return new TrainingResult(end, step, checkpointPath, failure);
    }

    /// <summary>
    /// Writes the checkpoint beside --out, or, when that fails (the folder gone, the disk full), into the temporary
    /// folder or the working folder, so that the steps taken are not lost; the first failure is kept in
    /// <paramref name="failure"/>. Null when no place took it.
    /// </summary>
    private string? SaveCheckpoint(Checkpoint checkpoint, MattingNetwork network, NetworkOptimizer optimizer, ref Exception? failure)
    {
        var name = $"{Path.GetFileNameWithoutExtension(_o.Output)}-step{checkpoint.Step}-{Environment.ProcessId}.ckpt";
        foreach (var path in new[] { _o.CheckpointPath, Path.Combine(Path.GetTempPath(), name), Path.Combine(Environment.CurrentDirectory, name) })
        {
            try
            {
                checkpoint.Save(path, network, optimizer);
                if (AbandonedCheckpointWrites.RemoveResumedRescue(_o, path) is { } rescue) Summary.Add($"removed {rescue}: the checkpoint {path} goes on from it");
                return path;
            }
            catch (Exception e) when (e is MediaFormatException or IOException or UnauthorizedAccessException)
            {
                failure ??= WriteFailure(path, e);
            }
        }
        return null;
    }

    /// <summary>
    /// Writes the checkpoint beside --out in the middle of a run, when --out has just been written; a failure is said
    /// and the run goes on (its end writes the checkpoint again, with the places to fall back on).
    /// </summary>
    /// <remarks>Both trainers' (<see cref="BgmTrainer"/> too): <paramref name="save"/> writes their checkpoint to the path it is given.</remarks>
    internal static void SaveCheckpointWithOut(string path, long step, TextWriter log, Action<string> save)
    {
        try
        {
            save(path);
        }
        catch (Exception e) when (e is MediaFormatException or IOException or UnauthorizedAccessException)
        {
            log.WriteLine($"the checkpoint could not be written with --out at step {step}: {WriteFailure(path, e).Message}");
        }
    }

    /// <summary>
    /// A write's failure as one line naming the file: OutputFile's own errors are already so; a raw I/O error (a
    /// full disk while writing) quotes the temporary name, which the user never asked for.
    /// </summary>
    internal static MediaFormatException WriteFailure(string path, Exception e) =>
        e as MediaFormatException ?? new MediaFormatException(path, "cannot be written: " + PartialName().Replace(e.Message.ReplaceLineEndings(" "), "").Trim());

    // " : '/folder/.NAME.partial-PID-GUID.ext'" as .NET quotes it, or the bare temporary path.
    [System.Text.RegularExpressions.GeneratedRegex(@"(\s*:?\s*'[^']*\.partial-\d+-[0-9a-f]{32}[^']*')|(\S*\.partial-\d+-[0-9a-f]{32}\S*)")]
    private static partial System.Text.RegularExpressions.Regex PartialName();

    private void WriteReport(string report, Validator? validator, TrainingData data, List<StepRecord> history, List<ValidationRecord> validation, byte[]? beforeAlpha, long step)
    {
        var pictures = validator?.ReportPictures(beforeAlpha, step, "alpha, base weights") ?? new();
        TrainingReport.Write(report, $"MatteKit training: {Path.GetFileName(_o.Output)}", Summary.Concat(data.Descriptions).ToList(), history, validation, pictures);
    }

    /// <summary>The whole step's data, drawn in the order the passes use it, before any pass changes the network.</summary>
    private StepBatches NextBatches(TrainingData data, TrainingRandom random, long step)
    {
        Tensor[] low;
        Tensor[]? high = null;
        (Tensor Images, Tensor Masks)? segmentation = null;
        using (NewDisposeScope())
        {
            var (src, fgr, pha) = data.NextMatting(random, _o.Frames, _o.Width, _o.Height);
            low = Kept(Augmentation.TrainCrop(random, new[] { src, fgr, pha }));
        }
        if (_o.Preset.HighResolution)
            using (NewDisposeScope())
            {
                var (src, fgr, pha) = data.NextMatting(random, _o.HighFrames, _o.HighWidth, _o.HighHeight);
                high = Kept(new[] { src, fgr, pha });
            }
        if (data.HasSegmentation)
            using (NewDisposeScope())
            {
                var (images, masks) = data.NextSegmentation(random, step, _o.Frames, _o.Width, _o.Height);
                var kept = Kept(new[] { images, masks });
                segmentation = (kept[0], kept[1]);
            }
        return new StepBatches(low, high, segmentation);
    }

    // The batch outlives the scope of the augmentation's intermediates, which are freed as soon as it is made.
    private static Tensor[] Kept(Tensor[] tensors) => tensors.Select(t => t.MoveToOuterDisposeScope()).ToArray();

    private sealed record StepBatches(Tensor[] Low, Tensor[]? High, (Tensor Images, Tensor Masks)? Segmentation);

    private (double, long) Validate(Validator validator, MattingNetwork network, long step, Action trainingMode, List<ValidationRecord> validation, double bestMad, long bestStep)
    {
        var v = validator.Score(network, step, trainingMode);
        StepHistory.Add(validation, v);
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

    private Dictionary<string, double> MattingStep(MattingNetwork network, NetworkOptimizer optimizer, Tensor src, Tensor fgr, Tensor pha, double ratio)
    {
        optimizer.ZeroGrad();
        var (predFgr, predPha, _) = network.Matte(src, null, ratio);
        var terms = MattingLoss.Compute(predFgr, predPha, fgr, pha);
        var total = terms.Total;
        total.backward();
        // The backward pass runs inside libtorch and is not cut short; a second signal drops its gradients here.
        _interruption.Quit.ThrowIfCancellationRequested();
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
}
