using MatteKit.Bgm;
using MatteKit.Conversion;
using MatteKit.Training.Recipe;

namespace MatteKit.Training.Runs;

/// <summary>What <c>mattekit train</c> was asked for; every check of it is in <see cref="Validate"/>.</summary>
internal sealed class TrainOptions
{
    /// <summary>
    /// The smallest side: train.py's random crop halves it at worst, and the Laplacian loss's five levels need at
    /// least 4 pixels a side at the last one (its reflect padding takes 2).
    /// </summary>
    public const int MinSide = 128;

    public const int MaxSteps = 10_000_000, MaxMinutes = 7 * 24 * 60, MaxSequenceLength = 100, MaxSide = 4096;

    /// <summary>BGMv2: composites per step (the official scripts take 8 per GPU; 2 keeps a CPU step short).</summary>
    public const int BgmBatchSize = 2;

    /// <summary>Pixels of one batch (frames x width x height) beyond which a CPU run would not fit in memory.</summary>
    public const long MaxBatchPixels = 64L * 1024 * 1024;

    public required string Output { get; init; }
    public TrainModel Model { get; init; } = TrainModel.Rvm;

    /// <summary>BGMv2: the stage, <c>base</c> or <c>refine</c>; null when not given (both in turn).</summary>
    public string? Stage { get; init; }

    /// <summary>BGMv2: whether the base stage runs (<c>--stage base</c>, or both stages).</summary>
    public bool TrainsBgmBase => Stage is null or "base";

    /// <summary>BGMv2: whether the refine stage runs (<c>--stage refine</c>, or both stages); --out is then a whole network.</summary>
    public bool TrainsBgmRefine => Stage is null or "refine";

    /// <summary>BGMv2: the backbone (mobilenetv2 or resnet50) when not read off --weights; null when not given.</summary>
    public BgmBackbone? Backbone { get; init; }

    /// <summary>Whether --preset was given (BGMv2 has no presets).</summary>
    public bool PresetGiven { get; init; }
    public string? Weights { get; init; }
    public IReadOnlyList<string> Cutouts { get; init; } = Array.Empty<string>();
    public IReadOnlyList<string> Backgrounds { get; init; } = Array.Empty<string>();
    public IReadOnlyList<string> Clips { get; init; } = Array.Empty<string>();
    public IReadOnlyList<string> Segmentation { get; init; } = Array.Empty<string>();
    public string? Valid { get; init; }
    public TrainingPreset Preset { get; init; } = TrainingPreset.Finetune;
    public double? Minutes { get; init; }
    public long? Steps { get; init; }
    public (int Width, int Height)? Size { get; init; }
    public int? SequenceLength { get; init; }
    public (int Width, int Height)? HighSize { get; init; }
    public int? HighSequenceLength { get; init; }
    public int Threads { get; init; } = Environment.ProcessorCount;
    public string? Resume { get; init; }
    public string? Report { get; init; }
    public bool Quiet { get; init; }
    public int ValidEvery { get; init; } = 50;
    public ulong Seed { get; init; } = 1;

    public int Width => Size?.Width ?? Preset.Width;
    public int Height => Size?.Height ?? Preset.Height;
    public int Frames => SequenceLength ?? Preset.SequenceLength;
    public int HighWidth => HighSize?.Width ?? Preset.HighWidth;
    public int HighHeight => HighSize?.Height ?? Preset.HighHeight;
    public int HighFrames => HighSequenceLength ?? Preset.HighSequenceLength;

    /// <summary>
    /// BGMv2's refine stage size: --hr-size, else 4 times --size (the official scripts' ratio: base 512, refine 2048
    /// at backbone scale 0.25), so that its base network, at a quarter of it, sees the base stage's size; where that
    /// would pass <see cref="MaxSide"/>, both sides scaled by the one factor that makes the longer side that (the
    /// aspect kept; a refine batch stays within <see cref="MaxBatchPixels"/>). Multiples of 4, as the refiner's 4x4
    /// patches need.
    /// </summary>
    public (int Width, int Height) RefineSize => HighSize ?? DefaultRefineSize(Width, Height);

    private static (int Width, int Height) DefaultRefineSize(int width, int height)
    {
        double scale = Math.Min(RefineRatio, (double)MaxSide / Math.Max(width, height));
        return ((int)(width * scale) / 4 * 4, (int)(height * scale) / 4 * 4);
    }

    /// <summary>BGMv2: the refine stage's default size over --size (train_refine.py's backbone scale, inverted).</summary>
    public const int RefineRatio = 4;

    /// <summary>Where the resumable checkpoint goes: beside the output, <c>NAME.ckpt</c>.</summary>
    public string CheckpointPath => Path.ChangeExtension(Path.GetFullPath(Output), ".ckpt");

    /// <exception cref="ArgumentException">One line naming the option and the problem (a usage error).</exception>
    public void Validate()
    {
        if (Model == TrainModel.Rvm && (Stage is not null || Backbone is not null))
            throw new ArgumentException($"{(Stage is not null ? "--stage" : "--backbone")} is for --model bgmv2");
        if (Model == TrainModel.Bgmv2) ValidateBgm();
        if (!Output.EndsWith(".pth", StringComparison.OrdinalIgnoreCase)) throw new ArgumentException($"--out {Output}: must end in .pth");
        if (Minutes is null && Steps is null) throw new ArgumentException("give a budget: --minutes N or --steps N");
        if (Minutes is not null && Steps is not null) throw new ArgumentException("--minutes and --steps: give one budget, not both");
        if (Steps is < 1 or > MaxSteps) throw new ArgumentException($"--steps {Steps}: expected 1 to {MaxSteps}");
        if (Minutes is not null && !(Minutes > 0 && Minutes <= MaxMinutes)) throw new ArgumentException($"--minutes {Minutes}: expected more than 0, at most {MaxMinutes}");
        if (Width is < MinSide or > MaxSide || Height is < MinSide or > MaxSide)
            throw new ArgumentException($"--size {Width}x{Height}: each side must be {MinSide} to {MaxSide}");
        if (Frames is < 1 or > MaxSequenceLength) throw new ArgumentException($"--seq-length {Frames}: expected 1 to {MaxSequenceLength}");
        if (!Preset.HighResolution && ((HighSize is not null && Model != TrainModel.Bgmv2) || HighSequenceLength is not null))
            throw new ArgumentException($"--hr-size and --hr-seq-length are for the high-resolution pass of stage3 and stage4, not {Preset.Name}");
        if (HighFrames is < 0 or > MaxSequenceLength) throw new ArgumentException($"--hr-seq-length {HighFrames}: expected 1 to {MaxSequenceLength}");
        if (Preset.HighResolution && (HighWidth < Width || HighHeight < Height))
            throw new ArgumentException($"--hr-size {HighWidth}x{HighHeight}: the high-resolution pass must be at least the low-resolution size {Width}x{Height}");
        if ((long)Frames * Width * Height > MaxBatchPixels)
            throw new ArgumentException($"a batch of {Frames} frames of {Width}x{Height} exceeds {MaxBatchPixels} pixels: lower --size or --seq-length");
        if (Preset.HighResolution && (long)HighFrames * HighWidth * HighHeight > MaxBatchPixels)
            throw new ArgumentException($"a high-resolution batch of {HighFrames} frames of {HighWidth}x{HighHeight} exceeds {MaxBatchPixels} pixels: lower --hr-size or --hr-seq-length");
        if (Threads < 1 || Threads > Environment.ProcessorCount) throw new ArgumentException($"--threads {Threads}: expected 1 to {Environment.ProcessorCount} (the cores present)");
        if (ValidEvery < 1) throw new ArgumentException($"--valid-every {ValidEvery}: expected 1 or more");
        if (Report is not null && !Report.EndsWith(".html", StringComparison.OrdinalIgnoreCase)) throw new ArgumentException($"--report {Report}: must end in .html");
        // Files compared as files (links followed, hard links by inode), as convert does. The checkpoint may be the
        // --resume input: it is read before it is written again.
        var outputs = new List<(string, string)> { ("--out", Output), ("the checkpoint", CheckpointPath) };
        if (Report is not null) outputs.Add(("--report", Report));
        PathCollisions.Check(Weights is null ? Array.Empty<(string, string)>() : new[] { ("the --weights", Weights) }, outputs);
        if (Resume is not null) PathCollisions.Check(new[] { ("the --resume checkpoint", Resume) }, outputs.Where(o => o.Item1 != "the checkpoint").ToList());
    }

    /// <summary>
    /// BGMv2 trains on single composites over --backgrounds (each background is also the plate):
    /// the options of RVM's recipe do not apply to it.
    /// </summary>
    private void ValidateBgm()
    {
        if (Stage is not null && Stage is not ("base" or "refine"))
            throw new ArgumentException($"--stage {Stage}: expected base (the base network) or refine (the whole network with the refiner)");
        if (HighSize is not null && !TrainsBgmRefine) throw new ArgumentException("--hr-size is the refine stage's size: --stage base has none");
        var (refineWidth, refineHeight) = RefineSize;
        if (TrainsBgmRefine && (refineWidth % 4 != 0 || refineHeight % 4 != 0))
            throw new ArgumentException($"--hr-size {refineWidth}x{refineHeight}: the refiner needs sides that are multiples of 4");
        if (TrainsBgmRefine && (long)BgmBatchSize * refineWidth * refineHeight > MaxBatchPixels)
            throw new ArgumentException($"a refine batch of {BgmBatchSize} frames of {refineWidth}x{refineHeight} exceeds {MaxBatchPixels} pixels: lower --hr-size");
        var unsupported = new (string Option, bool Given)[]
        {
            ("--preset", PresetGiven), ("--seq-length", SequenceLength is not null),
            ("--hr-seq-length", HighSequenceLength is not null), ("--segmentation", Segmentation.Count > 0),
        }.Where(o => o.Given).Select(o => o.Option).ToList();
        if (unsupported.Count > 0) throw new ArgumentException($"{string.Join(", ", unsupported)}: not available with --model bgmv2 (it trains on single composites)");
        if (Backgrounds.Count == 0) throw new ArgumentException("--model bgmv2 composites every sample over --backgrounds (the background is also the plate): give --backgrounds DIR");
    }
}
