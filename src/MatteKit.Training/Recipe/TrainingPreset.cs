using MatteKit.Training.Optimization;

namespace MatteKit.Training.Recipe;

/// <summary>
/// One stage of the paper's recipe (section 4.2 and the official train.py commands), or the fine-tuning default.
/// Rates per module; the low-resolution pass at <see cref="Width"/> x <see cref="Height"/> with T =
/// <see cref="SequenceLength"/>; stages 3-4 add a high-resolution pass at ratio 0.25 through the deep guided filter.
/// </summary>
internal sealed record TrainingPreset(string Name, ModuleRates Rates, int Width, int Height, int SequenceLength,
    bool HighResolution, int HighWidth, int HighHeight, int HighSequenceLength, bool FrozenBatchNorm, int WarmupSteps)
{
    /// <summary>The high-resolution pass's downsample ratio (train.py's default).</summary>
    public const double HighResolutionRatio = 0.25;

    public static readonly TrainingPreset Stage1 = new("stage1", new(1e-4, 2e-4, 2e-4, 0), 512, 512, 15, false, 0, 0, 0, false, 0);
    public static readonly TrainingPreset Stage2 = new("stage2", new(5e-5, 1e-4, 1e-4, 0), 512, 512, 50, false, 0, 0, 0, false, 0);
    public static readonly TrainingPreset Stage3 = new("stage3", new(1e-5, 1e-5, 1e-5, 2e-4), 512, 512, 40, true, 2048, 2048, 6, false, 0);
    public static readonly TrainingPreset Stage4 = new("stage4", new(1e-5, 1e-5, 5e-5, 2e-4), 512, 512, 40, true, 2048, 2048, 6, false, 0);

    /// <summary>
    /// The default: stage 4's rates reached after a linear warm-up of 50 steps, low resolution only, frozen batch
    /// norm (batch statistics of a few frames wreck a converged network: the reference's loss goes from 0.148 to
    /// 2.38), sizes a CPU can step through.
    /// </summary>
    public static readonly TrainingPreset Finetune = new("finetune", Stage4.Rates with { Refiner = 0 }, 256, 256, 4, false, 0, 0, 0, true, 50);

    public static readonly IReadOnlyList<TrainingPreset> All = new[] { Finetune, Stage1, Stage2, Stage3, Stage4 };

    public static TrainingPreset Named(string name) =>
        All.SingleOrDefault(p => p.Name == name)
        ?? throw new ArgumentException($"--preset {name}: expected one of {string.Join(", ", All.Select(p => p.Name))}");

    public override string ToString() => Name;

    /// <summary>The rates at <paramref name="step"/> (0-based): the warm-up ramps them linearly from 1/warm-up.</summary>
    public ModuleRates RatesAt(long step) =>
        WarmupSteps <= 0 || step >= WarmupSteps ? Rates : Rates.Scaled((step + 1.0) / WarmupSteps);
}
