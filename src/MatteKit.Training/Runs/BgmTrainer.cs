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
/// first half of the budget (steps or minutes), the refine stage the rest. Stops at the budget or on a signal.
/// --out is a <c>MattingRefine</c> state dict when the refine stage is part of the run, else a <c>MattingBase</c> one
/// (official keys and order): with validation, the weights that scored best as that network (written when scored),
/// else, or before that network was scored, the last ones. Beside it a checkpoint of the last weights that --resume
/// continues exactly (the stage under way, its Adam, the data stream, libtorch's generator and the best score).
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
    private BgmCheckpoint? _start;
    private BgmOptimizer? _resumedOptimizer;
    private Tensor? _resumedGenerator;
    private readonly List<StepTotal> _baseLosses = new(), _refineLosses = new();
    private readonly List<ValidationRecord> _validation = new();

    /// <summary>The best validation MAD of the network --out holds, and the step of the weights written there for it (-1: none yet).</summary>
    private double _bestMad = double.PositiveInfinity;
    private long _bestStep = -1;

    /// <summary>Whether the network started from no weights (a resumed run: the checkpoint's), which sets the stages' rates.</summary>
    private bool _fromScratch;

    /// <summary>The first validation clip's alpha of the starting weights, for the report.</summary>
    private byte[]? _beforeAlpha;

    /// <summary>This run's steps with every loss term (keys prefixed by the stage), for the report.</summary>
    private readonly List<StepRecord> _history = new();

    public BgmTrainer(TrainOptions options, TrainingInterruption interruption, TextWriter log)
    {
        (_o, _interruption, _log) = (options, interruption, log);
        RefineSize = options.RefineSize;
    }

    /// <summary>
    /// The refine stage's size: the options' (<see cref="TrainOptions.RefineSize"/>), or, for a run resumed without
    /// --hr-size, the checkpoint's (known after <see cref="Prepare"/>): the resumed run goes on at the size it was
    /// started at, even where that was another default (twice --size before it was 4 times).
    /// </summary>
    public (int Width, int Height) RefineSize { get; private set; }

    /// <summary>Lines for the summary.</summary>
    public List<string> Summary { get; } = new();

    /// <summary>Bytes of the network's tensors (parameters and buffers), known after <see cref="Prepare"/>.</summary>
    public long StateBytes { get; private set; }

    /// <summary>Whether --out gets the whole network (the refine stage is part of the run).</summary>
    public bool WritesWholeNetwork => _o.TrainsBgmRefine;

    /// <summary>What --out holds, for the lines that name it: the best validated weights, or the last ones.</summary>
    public string OutputWeights => _bestStep >= 0 ? $"the best validated weights (step {_bestStep})" : "the weights so far";

    /// <summary>The starting weights (when given), the network and a --resume checkpoint: checked before the data loads.</summary>
    public void Prepare()
    {
        set_num_threads(_o.Threads);
        NativeHeap.KeepFreedMemory();
        manual_seed((long)(_o.Seed & 0x7fffffff));
        var weights = _o.Weights is null ? null : WeightsFile.Load(_o.Weights);
        var backbone = weights is null ? _o.Backbone ?? BgmBackbone.MobileNetV2 : BgmNetworkWeights.BackboneOf(weights);
        if (weights is not null && _o.Backbone is { } asked && asked != backbone)
            throw new ArgumentException($"--backbone {asked.ToString().ToLowerInvariant()}: --weights {_o.Weights} holds a {backbone} network");
        if (backbone is not (BgmBackbone.MobileNetV2 or BgmBackbone.ResNet50))
            throw new ArgumentException($"--weights {_o.Weights}: a {backbone} network; training supports MobileNetV2 and ResNet-50");
        var refiner = _o.TrainsBgmRefine ? new PatchRefiner(BgmMattingNetwork.HiddenChannels, RefineMode.Sampling, RefineSamplePixels, RefineThreshold) : null;
        var network = new BgmMattingNetwork(backbone, refiner, BackboneScale);
        var fresh = weights is null ? null : BgmNetworkWeights.Load(network, weights);
        // A resumed run's network is the checkpoint's (its line below), whatever it was built from.
        if (_o.Resume is null && weights is null)
        {
            _fromScratch = true;
            network.StartFromPlateDifference();
            var rates = new List<string>();
            if (_o.TrainsBgmBase) rates.Add($"base stage {BgmOptimizer.ScratchBase}");
            if (_o.TrainsBgmRefine) rates.Add($"refine stage {BgmOptimizer.ScratchRefine}");
            Summary.Add($"no --weights: the {backbone} network starts from PyTorch's default initialisation (the official recipe starts its backbone " +
                        $"from ImageNet weights), its stem filters set to see the frame minus the plate, and it learns at scratch rates: {string.Join("; ", rates)}");
        }
        else if (_o.Resume is null && fresh is { Count: > 0 })
            Summary.Add($"started from PyTorch's default initialisation (--weights has none): {string.Join(", ", fresh.Select(k => k[..k.LastIndexOf('.')]).Distinct())}");
        if (_o.Resume is { } resume)
        {
            (_start, _resumedOptimizer, _resumedGenerator) = BgmCheckpoint.Read(resume, _o.Steps, network, header =>
            {
                var (refineWidth, refineHeight) = _o.HighSize is null ? (header.RefineWidth, header.RefineHeight) : _o.RefineSize;
                if (header.Backbone != backbone.ToString() || header.Stages != StagesName || header.Width != _o.Width || header.Height != _o.Height
                    || (_o.TrainsBgmRefine && (header.RefineWidth != refineWidth || header.RefineHeight != refineHeight)))
                    throw new ArgumentException($"--resume {_o.Resume}: was written by a run of {StagesPhrase(header.Stages)} of a " +
                        $"{Media.PrintableText.Excerpt(header.Backbone, 20)} network at {header.Width}x{header.Height} (refine {header.RefineWidth}x{header.RefineHeight}); " +
                        "resume with the same --stage, --backbone, --size and --hr-size");
                if (!(header.Stage == Stage.Base.Name && _o.TrainsBgmBase) && !(header.Stage == Stage.Refine.Name && _o.TrainsBgmRefine))
                    throw new ArgumentException($"--resume {_o.Resume}: stage '{Media.PrintableText.Excerpt(header.Stage, 20)}' is not one of this run's");
                // Any size a run took is a multiple of 4 (the refiner's patches); an edited one is not a run's.
                if (_o.TrainsBgmRefine && (refineWidth % 4 != 0 || refineHeight % 4 != 0))
                    throw new MediaFormatException(resume, $"checkpoint fields RefineWidth and RefineHeight are {refineWidth}x{refineHeight}: expected multiples of 4 (edited or damaged)");
                RefineSize = (refineWidth, refineHeight);
                _fromScratch = header.FromScratch;
                return NewOptimizer(network, header.Stage == Stage.Refine.Name);
            });
            // A checkpoint written before the records were bounded may hold more than they now keep.
            foreach (var (kept, read) in new[] { (_baseLosses, _start.BaseLosses), (_refineLosses, _start.RefineLosses) })
            {
                kept.AddRange(read);
                StepHistory.Bound(kept);
            }
            _validation.AddRange(_start.Validation);
            StepHistory.Bound(_validation);
            (_bestMad, _bestStep) = (_start.BestMad, _start.BestStep);
            Summary.Add($"resumed from {_o.Resume} at step {_start.Step} ({_start.Stage} stage): the network, Adam and random states are the checkpoint's");
            if (_o.TrainsBgmRefine && RefineSize != _o.RefineSize)
                Summary.Add($"refine stage at {RefineSize.Width}x{RefineSize.Height}, the checkpoint's (no --hr-size; the default now is {_o.RefineSize.Width}x{_o.RefineSize.Height})");
            if (EarlierCheckpoint.BestStartsOver(_o, _bestStep) is { } line)
            {
                Summary.Add(line);
                (_bestMad, _bestStep) = (double.PositiveInfinity, -1);
            }
        }
        StateBytes = network.state_dict().Values.Sum(t => t.NumberOfElements * t.ElementSize);
        _network = network;
    }

    /// <summary>The stages of this run as the checkpoint names them.</summary>
    private string StagesName => _o.Stage ?? "both";

    /// <summary>A checkpoint's Stages (base, refine or both, checked when it was read) as a sentence says it.</summary>
    private static string StagesPhrase(string stages) => stages == "both" ? "both stages" : $"the {stages} stage";

    private BgmOptimizer NewOptimizer(BgmMattingNetwork network, bool refine) =>
        new(network, BgmOptimizer.For(refine, _fromScratch), trainsRefiner: refine);

    /// <summary>Trains until the budget, a signal or a failure; writes --out unless writing failed, and the checkpoint.</summary>
    public TrainingResult Run(TrainingData data, Validator? validator)
    {
        if (_network is not { } network) throw new InvalidOperationException("Prepare comes before Run");
        var random = new TrainingRandom(_start?.RandomState ?? _o.Seed);
        if (_resumedGenerator is { } generatorState)
            using (var generator = Generator.Default) generator.set_state(generatorState);
        network.train();
        _step = _start?.Step ?? 0;
        var clock = new RunClock(_start?.Seconds ?? 0);
        var end = TrainingEnd.Finished;
        Exception? failure = null;
        Stage? current = null;
        _interruption.TrainingStarted("the weights so far to --out");
        var progress = new TrainingProgress(_o, _log);
        var stages = new List<Stage>();
        if (_o.TrainsBgmBase && _start?.Stage != Stage.Refine.Name) stages.Add(Stage.Base);
        if (_o.TrainsBgmRefine) stages.Add(Stage.Refine);
        var saved = new SavedState(random.State, GeneratorState());
        try
        {
            for (int i = 0; i < stages.Count && end == TrainingEnd.Finished; i++)
            {
                bool last = stages[i] == Stage.Refine || !_o.TrainsBgmRefine;
                // Without --stage the base stage gets the first half of the budget and the refine stage the rest.
                long? stepLimit = _o.Steps is { } s ? (last ? s : s / 2) : null;
                double? secondsLimit = _o.Minutes is { } m ? (last ? m * 60 : m * 30) : null;
                current = stages[i];
                var optimizer = i == 0 && _resumedOptimizer is not null ? _resumedOptimizer : NewOptimizer(network, stages[i] == Stage.Refine);
                _resumedOptimizer = null;
                try
                {
                    (end, failure) = RunStage(stages[i], network, optimizer, data, validator, random, stepLimit, secondsLimit, clock, progress, saved, opening: i == 0);
                }
                finally
                {
                    // The checkpoint of the stage under way holds its Adam; a finished stage's is not needed again.
                    if (end != TrainingEnd.Finished || last || _interruption.Quit.IsCancellationRequested) SaveCheckpoint(current, network, optimizer, saved, clock.Seconds, ref failure);
                    optimizer.Dispose();
                }
            }
        }
        catch (OperationCanceledException) when (_interruption.Quit.IsCancellationRequested)
        {
            end = TrainingEnd.Stopped;
        }
        progress.Finish();

        if (end == TrainingEnd.Stopped && current == Stage.Base && _o.TrainsBgmRefine)
            Summary.Add("stopped in the base stage: the refiner in --out has not been trained (its initialisation)");
        if (failure is not null && end is TrainingEnd.Finished or TrainingEnd.Stopped) end = TrainingEnd.OutputFailed;
        if (_validation.Count > 0)
        {
            string kept = WritesWholeNetwork ? "whole network" : "base network";
            Summary.Add($"validation MAD: {_validation[0].Mad:F3} at step {_validation[0].Step}, {_validation[^1].Mad:F3} at step {_validation[^1].Step}; " +
                        (_bestStep >= 0
                            ? $"--out holds the weights of step {_bestStep}, the best of the {kept}'s validations (MAD {_bestMad:F3})"
                            : $"--out holds the last weights (the {kept} was not validated)"));
        }
        if (end is TrainingEnd.Finished or TrainingEnd.Stopped)
        {
            string writing = _o.Output;
            try
            {
                // The best validated weights were written when they were scored.
                if (_bestStep < 0) BgmNetworkWeights.SavePth(network, _o.Output);
                writing = _o.Report ?? _o.Output;
                if (end == TrainingEnd.Finished && _o.Report is { } report)
                    TrainingReport.Write(report, $"MatteKit BGMv2 training: {Path.GetFileName(_o.Output)}", Summary.Concat(data.Descriptions).ToList(),
                        ReportHistory(), _validation, validator?.ReportPictures(_beforeAlpha, _step, "alpha, starting weights") ?? new());
            }
            catch (Exception e) when (e is MediaFormatException or IOException or UnauthorizedAccessException)
            {
                (end, failure) = (TrainingEnd.OutputFailed, Trainer.WriteFailure(writing, e));
            }
        }
        return new TrainingResult(end, _step, CheckpointPath, failure);
    }

    /// <summary>
    /// One stage with its own Adam, until the step count of the run reaches <paramref name="stepLimit"/>, the clock
    /// <paramref name="secondsLimit"/>, a signal, a data failure or a failure to write --out at a validation.
    /// <paramref name="opening"/>: the run's first stage, which scores the starting weights of a run at step 0.
    /// </summary>
    private (TrainingEnd End, Exception? Failure) RunStage(Stage stage, BgmMattingNetwork network, BgmOptimizer optimizer, TrainingData data, Validator? validator, TrainingRandom random,
        long? stepLimit, double? secondsLimit, RunClock clock, TrainingProgress progress, SavedState saved, bool opening)
    {
        bool refine = stage == Stage.Refine;
        var (width, height) = refine ? RefineSize : (_o.Width, _o.Height);
        long first = _step;
        double started = clock.Seconds;
        var totals = refine ? _refineLosses : _baseLosses;
        Dictionary<string, double>? lastLosses = null;
        var end = TrainingEnd.Stopped;
        Exception? failure = null;
        long refinedPatches = 0, patches = 0;
        double cropArea = 0;
        long crops = 0;
        (int W, int H) minCrop = (int.MaxValue, int.MaxValue), maxCrop = (0, 0);
        try
        {
            if (opening && validator is not null && _step == 0)
            {
                // The starting weights, as this stage's network: the report's "before", and what --out keeps if no step beats them.
                Validate(validator, network, refine);
                if (validator.ReportAlpha is { } alpha) _beforeAlpha = Validator.AlphaPng(alpha);
            }
            while (true)
            {
                // What a checkpoint resumes from: the streams as they are before this step draws anything.
                saved.Set(random.State, GeneratorState());
                if ((stepLimit is { } maxSteps && _step >= maxSteps) || (secondsLimit is { } seconds && clock.Seconds >= seconds))
                {
                    end = TrainingEnd.Finished;
                    // Each stage ends validated: the base network's scores at the end of the base stage, the whole network's at the end.
                    if (validator is not null && _step > first && (_validation.Count == 0 || _validation[^1].Step != _step)) Validate(validator, network, refine);
                    break;
                }
                if (_interruption.StopRequested) break;
                using var scope = NewDisposeScope();
                Tensor src, bgr, fgr, pha;
                try
                {
                    // The batch's random crop, drawn before its samples (the official scripts crop each loaded batch).
                    var crop = BatchCrop.Draw(random, width, height, refine ? 4 : 1);
                    (crops, cropArea, minCrop, maxCrop) = (crops + 1, cropArea + (double)crop.Width * crop.Height, Smaller(minCrop, crop), Larger(maxCrop, crop));
                    var samples = Enumerable.Range(0, TrainOptions.BgmBatchSize).Select(_ => data.NextPlateMatting(random, width, height, crop)).ToList();
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
                StepHistory.Add(totals, new StepTotal(_step, lastLosses["total"]));
                StepHistory.Add(_history, new StepRecord(_step, clock.Seconds, lastLosses.ToDictionary(kv => $"{stage.Name} {kv.Key}", kv => kv.Value)));
                progress.Report(_step, clock.Seconds, lastLosses);
                if (validator is not null && _step % _o.ValidEvery == 0 && Validate(validator, network, refine))
                {
                    // --out has just been written: the checkpoint goes with it, so that a run killed outright (an
                    // out-of-memory kill, a lost node) resumes from these weights, not from the run's start, and never
                    // replaces --out with weights worse than those it holds. The streams are as the next step finds them.
                    saved.Set(random.State, GeneratorState());
                    Trainer.SaveCheckpointWithOut(_o.CheckpointPath, _step, _log, path => Header(stage, network, clock.Seconds, saved).Save(path, network, optimizer, saved.Generator));
                }
            }
        }
        catch (Exception e) when (e is MediaFormatException or IOException or UnauthorizedAccessException)
        {
            // Only --out throws here (the data's errors are caught where it is read), written at a validation.
            (end, failure) = (TrainingEnd.OutputFailed, Trainer.WriteFailure(_o.Output, e));
        }
        finally
        {
            double seconds = clock.Seconds - started;
            long steps = _step - first;
            string extra = refine
                ? $" (the base network at a quarter of each crop; {(patches == 0 ? 0 : 100.0 * refinedPatches / patches):F0}% of the 4x4 patches refined)"
                : "";
            Summary.Add($"{stage.Name} stage: {steps} steps{(_start is null ? "" : " this run")} in {seconds:F0} s ({steps / Math.Max(1e-9, seconds):F2} steps/s), BGMv2 {network.Backbone} {stage.Network}, " +
                        $"batch {TrainOptions.BgmBatchSize} of {width}x{height} randomly cropped{Crops(crops, cropArea, minCrop, maxCrop)}{extra}, rates {optimizer.Rates}, {_o.Threads} threads");
            if (totals.Count > 0) Summary.Add($"{stage.Name} loss curve (mean total loss of each tenth of its steps): {string.Join(" ", Curve(totals).Select(v => v.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)))}");
            if (lastLosses is not null) Summary.Add($"{stage.Name} last losses: " + string.Join(", ", lastLosses.Select(kv => $"{kv.Key} {kv.Value:F4}")));
        }
        return (end, failure);
    }

    /// <summary>Where the checkpoint went (null when nothing took it), set by the last save.</summary>
    private string? CheckpointPath { get; set; }

    /// <summary>
    /// Writes the checkpoint beside --out, or, when that fails, into the temporary folder or the working folder, so
    /// that the steps taken are not lost; the first failure is kept in <paramref name="failure"/>.
    /// </summary>
    private void SaveCheckpoint(Stage stage, BgmMattingNetwork network, BgmOptimizer optimizer, SavedState saved, double seconds, ref Exception? failure)
    {
        var header = Header(stage, network, seconds, saved);
        var name = $"{Path.GetFileNameWithoutExtension(_o.Output)}-step{_step}-{Environment.ProcessId}.ckpt";
        CheckpointPath = null;
        foreach (var path in new[] { _o.CheckpointPath, Path.Combine(Path.GetTempPath(), name), Path.Combine(Environment.CurrentDirectory, name) })
        {
            try
            {
                header.Save(path, network, optimizer, saved.Generator);
                CheckpointPath = path;
                if (AbandonedCheckpointWrites.RemoveResumedRescue(_o, path) is { } rescue) Summary.Add($"removed {rescue}: the checkpoint {path} goes on from it");
                return;
            }
            catch (Exception e) when (e is MediaFormatException or IOException or UnauthorizedAccessException)
            {
                failure ??= e as MediaFormatException ?? new MediaFormatException(path, "cannot be written: " + e.Message.ReplaceLineEndings(" "));
            }
        }
    }

    /// <summary>What a checkpoint of this run says of itself at this step.</summary>
    private BgmCheckpoint Header(Stage stage, BgmMattingNetwork network, double seconds, SavedState saved)
    {
        var (refineWidth, refineHeight) = RefineSize;
        return new BgmCheckpoint
        {
            Backbone = network.Backbone.ToString(), Stages = StagesName, Stage = stage.Name, Width = _o.Width, Height = _o.Height,
            RefineWidth = refineWidth, RefineHeight = refineHeight, Step = _step, Seconds = seconds, RandomState = saved.Random,
            BaseLosses = _baseLosses, RefineLosses = _refineLosses, Validation = _validation, BestMad = _bestMad, BestStep = _bestStep,
            FromScratch = _fromScratch,
        };
    }

    /// <summary>
    /// Scores the base network (<paramref name="whole"/> false) or the whole network on the validation clips and
    /// prints the scores; batch norm and dropout go back to training mode after. A score of the network --out holds
    /// that beats the best so far writes the weights to --out.
    /// </summary>
    /// <exception cref="MediaFormatException">--out cannot be written (or an <see cref="IOException"/> from writing it).</exception>
    /// <returns>Whether --out was written.</returns>
    private bool Validate(Validator validator, BgmMattingNetwork network, bool whole)
    {
        // Dropout draws from libtorch's generator only in training mode: validating does not change the stream.
        var v = validator.Score(network, whole, _step, () => network.train());
        StepHistory.Add(_validation, v);
        // The base network's scores in a run that writes the whole network say nothing of what --out would hold.
        bool written = whole == WritesWholeNetwork && v.Mad < _bestMad;
        string note = "";
        if (written)
        {
            BgmNetworkWeights.SavePth(network, _o.Output);
            (_bestMad, _bestStep) = (v.Mad, _step);
            note = $" (best so far: written to {_o.Output})";
        }
        _log.WriteLine($"validation at step {_step} ({(whole ? "whole network" : "base network")}): MAD {v.Mad:F3}  MSE {v.Mse:F3}  Grad {v.Grad:F3}  dtSSD {v.DtSsd:F3}{note}");
        return written;
    }

    /// <summary>The report's loss curves: a resumed run's earlier steps by their totals, this run's steps by every term.</summary>
    private List<StepRecord> ReportHistory()
    {
        long earlier = _history.Count == 0 ? _step : _history[0].Step - 1;
        var totals = _baseLosses.Select(t => ("base total", t)).Concat(_refineLosses.Select(t => ("refine total", t)));
        return totals.Where(t => t.t.Step <= earlier).Select(t => new StepRecord(t.t.Step, 0, new Dictionary<string, double> { [t.Item1] = t.t.Total }))
            .Concat(_history).ToList();
    }

    private static Tensor GeneratorState()
    {
        using var generator = Generator.Default;
        return generator.get_state();
    }

    private static (int W, int H) Smaller((int W, int H) a, BatchCrop b) => (Math.Min(a.W, b.Width), Math.Min(a.H, b.Height));
    private static (int W, int H) Larger((int W, int H) a, BatchCrop b) => (Math.Max(a.W, b.Width), Math.Max(a.H, b.Height));

    private static string Crops(long crops, double area, (int W, int H) min, (int W, int H) max) => crops == 0 ? "" :
        $" (widths {min.W}-{max.W}, heights {min.H}-{max.H}, mean area {area / crops:F0} pixels)";

    /// <summary>The random streams as they were before the step under way drew from them (kept outside dispose scopes).</summary>
    private sealed class SavedState(ulong random, Tensor generator)
    {
        public ulong Random { get; private set; } = random;
        public Tensor Generator { get; private set; } = generator;

        public void Set(ulong random, Tensor generator)
        {
            Generator.Dispose();
            (Random, Generator) = (random, generator);
        }
    }

    /// <summary>Seconds of training, earlier runs of a resumed one included.</summary>
    private sealed class RunClock(double before)
    {
        private readonly Stopwatch _watch = Stopwatch.StartNew();

        public double Seconds => before + _watch.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// The mean total of each of up to <see cref="CurvePoints"/> equal runs of the stage's steps, over the records kept
    /// (thinned past <see cref="StepHistory.MaxRecords"/>, older steps sparser); a run with no record kept is left out.
    /// </summary>
    public static IReadOnlyList<double> Curve(IReadOnlyList<StepTotal> totals)
    {
        long first = totals[0].Step, steps = totals[^1].Step - first + 1;
        int points = (int)Math.Min(CurvePoints, steps);
        // Step s (counted from 0) falls in the run p where it would by its place in a list of every step's total.
        return totals.GroupBy(t => ((t.Step - first + 1) * points - 1) / steps).OrderBy(g => g.Key).Select(g => g.Average(t => t.Total)).ToList();
    }

    private sealed record Stage(string Name, string Network)
    {
        public static readonly Stage Base = new("base", "base network");
        public static readonly Stage Refine = new("refine", "whole network");
    }
}
