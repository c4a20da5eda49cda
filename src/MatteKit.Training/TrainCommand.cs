using System.CommandLine;
using MatteKit.Bgm;
using MatteKit.CommandLine;
using MatteKit.Training.Data;
using MatteKit.Training.Recipe;
using MatteKit.Training.Runs;

namespace MatteKit.Training;

/// <summary>
/// <c>mattekit train</c>: the options, declared once; what they mean is checked by <see cref="TrainOptions.Validate"/>
/// and the data by the loaders, all before the first step.
/// </summary>
internal static class TrainCommand
{
    public static Command Build(TrainingInterruption interruption)
    {
        var output = OptionValues.OutputPath("--out", "where the tuned weights go (.pth, official keys; `mattekit convert --weights` and the official code load it); a resumable checkpoint NAME.ckpt is written beside it");
        output.Required = true;
        Option<string[]> Many(string name, string help)
        {
            var option = OptionValues.Paths(name, help, use: PathUse.Read);
            option.Arity = ArgumentArity.OneOrMore;
            return option;
        }
        var cutouts = Many("--cutouts", "folders of cut-outs / image mattes (each a folder with image.jpg|png and alpha.png), composited over --backgrounds; repeatable");
        var backgrounds = Many("--backgrounds", "folders of background images and videos; repeatable");
        var clips = Many("--clips", "video mattes (DIR/fgr/CLIP + DIR/pha/CLIP frame folders, VideoMatte240K's layout) or clips with ground truth (DIR/CLIP/com|fgr|pha); repeatable");
        var segmentation = Many("--segmentation", "segmentation samples (folders with image.* + mask.png) and mask sequences (images/ + masks/); repeatable");
        var valid = OptionValues.Path("--valid", "validation clips (DIR/CLIP/com|fgr|pha, and bgr, the plates, for --model bgmv2), scored every --valid-every steps; the best weights go to --out (bgmv2: the best of the network --out holds)", "DIR", PathUse.Read);
        var preset = OptionValues.Parsed("--preset", "finetune (default: stage-4 rates after a warm-up, frozen batch norm, 256x256, T=4), stage1, stage2, stage3, stage4 (the paper's stages)",
            "NAME", TrainingPreset.Named, () => TrainingPreset.Finetune, TrainingPreset.All.Select(p => p.Name).ToArray());
        var minutes = OptionValues.PositiveNumber("--minutes", "time budget in minutes");
        var steps = OptionValues.LongNumber("--steps", "step budget (total, a resumed run included)", 1);
        var size = OptionValues.Size("--size", "low-resolution training size (default: the preset's)", TrainOptions.MinSide, TrainOptions.MaxSide);
        var seqLength = OptionValues.WholeNumber("--seq-length", "frames per sequence T (default: the preset's)", 1);
        var highSize = OptionValues.Size("--hr-size", "stage3/stage4: size of the high-resolution pass (default 2048x2048, the paper's); bgmv2: the refine stage's size (default 4 times --size, as the official recipe: its base network then sees --size; scaled down to 4096 on the longer side, the aspect kept)", TrainOptions.MinSide, TrainOptions.MaxSide);
        var highSeqLength = OptionValues.WholeNumber("--hr-seq-length", "stage3/stage4: frames per high-resolution sequence (default 6)", 1);
        var resume = OptionValues.Path("--resume", "continue from a checkpoint (NAME.ckpt) exactly where it stopped", "CKPT", PathUse.Read);
        var report = OptionValues.OutputPath("--report", "HTML report: loss curves per term, validation curves, a validation frame before and after", "FILE");
        var validEvery = OptionValues.WholeNumber("--valid-every", "steps between validations (default 50)", 1);
        var seed = OptionValues.LongNumber("--seed", "seed of data sampling, augmentation and fresh layers (default 1)", 0);
        var model = OptionValues.Choice("--model", "rvm (default: Robust Video Matting) or bgmv2 (BackgroundMattingV2, frame and background plate: writes the official MattingRefine state dict that convert --background-plate runs, or MattingBase with --stage base)",
            "NAME", new Dictionary<string, TrainModel> { ["rvm"] = TrainModel.Rvm, ["bgmv2"] = TrainModel.Bgmv2 });
        var stage = OptionValues.Parsed<string?>("--stage", "bgmv2: base (the base network at --size) or refine (the whole network with the refiner at --hr-size, from --weights or fresh); default: base for the first half of the budget, then refine", "NAME",
            text => text, null, "base", "refine");
        var backbone = OptionValues.Choice("--backbone", "bgmv2 without --weights: mobilenetv2 (default) or resnet50",
            "NAME", new Dictionary<string, BgmBackbone> { ["mobilenetv2"] = BgmBackbone.MobileNetV2, ["resnet50"] = BgmBackbone.ResNet50 });

        var command = new Command("train", "fine-tune RVM on your own footage (the paper's losses and recipe, TorchSharp on the CPU), or train BGMv2 (--model bgmv2)")
        {
            output, SharedOptions.Weights, cutouts, backgrounds, clips, segmentation, valid, preset, minutes, steps, size, seqLength, highSize, highSeqLength, SharedOptions.Threads, resume, report, validEvery, seed, SharedOptions.Quiet,
            model, stage, backbone,
        };
        command.SetAction(parse =>
        {
            var options = new TrainOptions
            {
                Output = parse.GetValue(output) ?? throw new InvalidOperationException("the parser requires --out"),
                Model = parse.GetValue(model) ?? TrainModel.Rvm,
                Stage = parse.GetValue(stage),
                Backbone = parse.GetValue(backbone),
                PresetGiven = parse.GetResult(preset) is { Implicit: false },
                Weights = parse.GetValue(SharedOptions.Weights),
                Cutouts = parse.GetValue(cutouts) ?? Array.Empty<string>(),
                Backgrounds = parse.GetValue(backgrounds) ?? Array.Empty<string>(),
                Clips = parse.GetValue(clips) ?? Array.Empty<string>(),
                Segmentation = parse.GetValue(segmentation) ?? Array.Empty<string>(),
                Valid = parse.GetValue(valid),
                Preset = parse.GetRequiredValue(preset),
                Minutes = parse.GetValue(minutes),
                Steps = parse.GetValue(steps),
                Size = parse.GetValue(size),
                SequenceLength = parse.GetValue(seqLength),
                HighSize = parse.GetValue(highSize),
                HighSequenceLength = parse.GetValue(highSeqLength),
                Threads = parse.GetValue(SharedOptions.Threads) ?? Environment.ProcessorCount,
                Resume = parse.GetValue(resume),
                Report = parse.GetValue(report),
                ValidEvery = parse.GetValue(validEvery) ?? 50,
                Seed = (ulong)(parse.GetValue(seed) ?? 1),
                Quiet = parse.GetValue(SharedOptions.Quiet),
            };
            try
            {
                options.Validate();
                EarlierCheckpoint.Check(options);
                if (options.Model == TrainModel.Rvm) StepMemory.Check(options);
            }
            catch (ArgumentException e) { throw new UsageException(e.Message); }
            AbandonedCheckpointWrites.Remove(options);
            return options.Model == TrainModel.Bgmv2 ? RunBgm(options, interruption) : Run(options, interruption);
        });
        return command;
    }

    private static int Run(TrainOptions options, TrainingInterruption interruption)
    {
        var log = Console.Error;
        // Everything that can be known without the data is checked before it loads: the memory a step needs (with
        // the options), the base weights and a --resume checkpoint, and that every output can be written, with room.
        var trainer = new Trainer(options, interruption, log);
        trainer.Prepare();
        OutputPreflight.Check(options, trainer.StateBytes);
        var data = new TrainingData(options.Cutouts, options.Clips, options.Backgrounds, options.Segmentation, options.Width, options.Height, interruption.Quit);
        var validator = options.Valid is null ? null : new Validator(options.Valid, interruption.Quit);
        interruption.Quit.ThrowIfCancellationRequested();
        if (!options.Quiet)
            foreach (var line in data.Descriptions.Append(validator is null ? "no validation (--valid DIR)" : $"{validator.ClipCount} validation clips"))
                log.WriteLine(line);
        var result = trainer.Run(data, validator);
        var checkpoint = CheckpointText(result);
        switch (result.End)
        {
            case TrainingEnd.Finished:
                foreach (var line in trainer.Summary) Console.Out.WriteLine(line);
                Console.Out.WriteLine($"wrote {options.Output}, checkpoint {result.CheckpointPath}" + (options.Report is null ? "" : $", report {options.Report}"));
                return 0;
            case TrainingEnd.Stopped:
                foreach (var line in trainer.Summary) Console.Out.WriteLine(line);
                log.WriteLine($"mattekit train: stopped at step {result.Step}; {checkpoint}");
                return TrainingInterruption.ExitCode;
            case TrainingEnd.DataFailed:
                log.WriteLine($"mattekit train: {Failure(result)}; training stopped at step {result.Step}, " +
                              (result.CheckpointPath is null ? checkpoint : $"replace or remove that file; {checkpoint}"));
                return 1;
            default:
                log.WriteLine($"mattekit train: {Failure(result)}; stopped after {result.Step} steps, " +
                              (result.CheckpointPath is null ? checkpoint : $"the network is kept in the {checkpoint}"));
                return 1;
        }
    }

    private static int RunBgm(TrainOptions options, TrainingInterruption interruption)
    {
        var log = Console.Error;
        var trainer = new BgmTrainer(options, interruption, log);
        trainer.Prepare();
        OutputPreflight.Check(options, trainer.StateBytes);
        // Loaded for the larger of the stages' sizes.
        var (width, height) = options.TrainsBgmRefine ? trainer.RefineSize : (options.Width, options.Height);
        if (options.TrainsBgmBase) (width, height) = (Math.Max(width, options.Width), Math.Max(height, options.Height));
        var data = new TrainingData(options.Cutouts, options.Clips, options.Backgrounds, Array.Empty<string>(), width, height, interruption.Quit);
        var validator = options.Valid is null ? null : new Validator(options.Valid, interruption.Quit, plates: true);
        interruption.Quit.ThrowIfCancellationRequested();
        if (!options.Quiet)
            foreach (var line in data.Descriptions.Append(validator is null ? "no validation (--valid DIR)" : $"{validator.ClipCount} validation clips with plates"))
                log.WriteLine(line);
        string written = trainer.WritesWholeNetwork ? "BGMv2 whole network, MattingRefine" : "BGMv2 base network, MattingBase";
        var result = trainer.Run(data, validator);
        var checkpoint = CheckpointText(result);
        switch (result.End)
        {
            case TrainingEnd.Finished:
                foreach (var line in trainer.Summary) Console.Out.WriteLine(line);
                Console.Out.WriteLine($"wrote {options.Output} ({written}), checkpoint {result.CheckpointPath}" + (options.Report is null ? "" : $", report {options.Report}"));
                return 0;
            case TrainingEnd.Stopped:
                foreach (var line in trainer.Summary) Console.Out.WriteLine(line);
                log.WriteLine($"mattekit train: stopped at step {result.Step}; {trainer.OutputWeights} are in {options.Output} ({written}); {checkpoint}");
                return TrainingInterruption.ExitCode;
            default:
                log.WriteLine($"mattekit train: {Failure(result)}; training stopped at step {result.Step}, " +
                              (result.CheckpointPath is null ? checkpoint : $"the network is kept in the {checkpoint}"));
                return 1;
        }
    }

    /// <summary>Where the run's checkpoint is and how to go on from it, or that none could be written.</summary>
    private static string CheckpointText(TrainingResult result)
        => result.CheckpointPath is { } saved
            ? $"checkpoint {saved} (continue with --resume {saved} and the same options)"
            : "no checkpoint could be written (beside --out, in the temporary folder or in the working folder)";

    private static string Failure(TrainingResult result)
        => (result.Failure ?? throw new InvalidOperationException($"a run that ended {result.End} carries its failure")).Message.ReplaceLineEndings(" ");
}
