namespace MatteKit.Conversion;

/// <summary>
/// How to matte, for <see cref="Converter"/> and <see cref="Live.LiveMatter"/> alike: the network and its weights, the
/// resolution it runs at, its threads, the selfie models' mask options and the largest frame accepted. One
/// <see cref="Validate"/> checks them; <see cref="ConvertOptions"/> and <see cref="Live.LiveMatterOptions"/> embed it.
/// Errors name the property (<see cref="ArgumentException.ParamName"/>), never a command-line flag.
/// </summary>
public sealed record MattingSettings
{
    /// <summary>The network that makes the alpha: RVM (default) or a MediaPipe selfie model (a refined mask).</summary>
    public MatteModel Model { get; init; } = MatteModel.Rvm;

    /// <summary>
    /// Weights file; null = the embedded default model. RVM: TF.js model.json (or its folder), PyTorch .pth or an RVM .onnx;
    /// selfie models: a .tflite of the same kind.
    /// </summary>
    public string? Weights { get; init; }

    /// <summary>RVM's refiner for ratios below 1; null = deep guided filter when the weights hold one, else fast.</summary>
    public RvmRefiner? Refiner { get; init; }

    /// <summary>
    /// RVM's resolution as a fraction of the frame, in (0, 1]; null = auto: <see cref="Converter"/> keeps the network's longer
    /// side about 512 px, <see cref="Live.LiveMatter"/> at most <see cref="Live.LiveMatterOptions.AutoNetworkSide"/> px and lower
    /// when the CPU is too slow for the input's rate.
    /// </summary>
    public double? DownsampleRatio { get; init; }

    /// <summary>Inference threads; 0 = one per core; at most <see cref="ConvertLimits.MaxThreads"/>.</summary>
    public int Threads { get; init; }

    /// <summary>Selfie models: the share of the previous frame's mask in each frame's, 0 (default) to <see cref="SelfieOptions.MaxSmoothing"/>.</summary>
    public float MaskSmoothing { get; init; }

    /// <summary>Selfie models: how the mask is brought to the frame's size.</summary>
    public SelfieEdge MaskEdge { get; init; } = SelfieEdge.GuidedFilter;

    /// <summary>
    /// Edge control: whole pixels to shrink the matte by (grey-level erosion with a disc, so soft edges stay soft); negative
    /// grows it; at most <see cref="Compositing.AlphaEdges.MaxPixels"/> either way. Applied to the final alpha at full
    /// resolution, after <see cref="AlphaLevelLow"/> and <see cref="AlphaLevelHigh"/> and before <see cref="AlphaFeather"/>.
    /// </summary>
    public float AlphaChoke { get; init; }

    /// <summary>Edge control: the sigma, in pixels, of a Gaussian that softens the matte's edge; 0 = none.</summary>
    public float AlphaFeather { get; init; }

    /// <summary>Edge control: alpha (0 to 1) at or below which it becomes 0 (faint haze gone); linear up to <see cref="AlphaLevelHigh"/>.</summary>
    public float AlphaLevelLow { get; init; }

    /// <summary>Edge control: alpha (0 to 1) at or above which it becomes 1.</summary>
    public float AlphaLevelHigh { get; init; } = 1;

    /// <summary>
    /// Re-estimate the foreground's colour from the frame and the final alpha (fast multi-level foreground estimation)
    /// instead of taking the network's: the old background's colour leaves soft edges (<c>--foreground estimate</c>).
    /// Used by the foreground output and the composition.
    /// </summary>
    public bool EstimateForeground { get; init; }

    /// <summary>
    /// RVM: run the encoder and LR-ASPP in int8 (per-channel int8 weights, uint8 activations in ranges calibrated on real
    /// frames and shipped with the embedded model); the ConvGRUs, decoder and refiner stay float32. The embedded model only.
    /// Measured on a 2-core AMD EPYC: 1.08 to 1.15x the float32 speed, mean |d alpha| against float32 0.006 to 0.06 by clip
    /// (docs/performance.md): float32 is the default.
    /// </summary>
    public bool Int8 { get; init; }

    /// <summary>Largest frame accepted, in pixels (inputs, resizes and backgrounds), checked before pixels are allocated.</summary>
    public long MaxPixels { get; init; } = ConvertLimits.DefaultMaxPixels;

    /// <summary>Checks each setting against its bounds and against the model.</summary>
    /// <exception cref="ArgumentException">One line naming the setting and the problem.</exception>
    public void Validate()
    {
        if (Threads < 0 || Threads > ConvertLimits.MaxThreads)
            throw new ArgumentException($"{nameof(Threads)} must be a whole number from 1 to {ConvertLimits.MaxThreads} (the cores present), got {Threads}", nameof(Threads));
        ValidateRatio(DownsampleRatio);
        if (MaxPixels < 1) throw new ArgumentException($"{nameof(MaxPixels)} must be at least 1, got {MaxPixels}", nameof(MaxPixels));
        float most = Compositing.AlphaEdges.MaxPixels;
        if (!(Math.Abs(AlphaChoke) <= most && AlphaChoke == MathF.Round(AlphaChoke)))
            throw new ArgumentException($"{nameof(AlphaChoke)} must be a whole number of pixels from -{most} to {most}, got {AlphaChoke}", nameof(AlphaChoke));
        if (!(AlphaFeather >= 0 && AlphaFeather <= most))
            throw new ArgumentException($"{nameof(AlphaFeather)} must be a number of pixels from 0 to {most}, got {AlphaFeather}", nameof(AlphaFeather));
        if (!(AlphaLevelLow >= 0 && AlphaLevelLow < AlphaLevelHigh && AlphaLevelHigh <= 1))
            throw new ArgumentException($"the alpha levels must be LOW:HIGH with 0 <= LOW < HIGH <= 1, got {AlphaLevelLow}:{AlphaLevelHigh}", nameof(AlphaLevelLow));
        if (Int8 && Model != MatteModel.Rvm)
            throw new ArgumentException($"{nameof(Int8)} is for RVM; {nameof(Model)} {MatteModelNames.Of(Model)} runs in float32", nameof(Int8));
        if (Int8 && Weights is not null)
            throw new ArgumentException($"{nameof(Int8)} runs with activation ranges calibrated for the embedded model; {Weights} has none: leave out {nameof(Weights)} or {nameof(Int8)}", nameof(Int8));
        if (Model == MatteModel.Rvm)
        {
            if (MaskSmoothing != 0) throw new ArgumentException($"{nameof(MaskSmoothing)} is for the selfie models ({nameof(Model)} selfie or selfie-landscape)", nameof(MaskSmoothing));
            if (MaskEdge != SelfieEdge.GuidedFilter) throw new ArgumentException($"{nameof(MaskEdge)} is for the selfie models ({nameof(Model)} selfie or selfie-landscape)", nameof(MaskEdge));
            return;
        }
        string name = MatteModelNames.Of(Model);
        if (DownsampleRatio is not null) throw new ArgumentException($"{nameof(DownsampleRatio)} is RVM's; {nameof(Model)} {name} runs at its fixed network size", nameof(DownsampleRatio));
        if (Refiner is not null) throw new ArgumentException($"{nameof(Refiner)} is RVM's; with {nameof(Model)} {name} use {nameof(MaskEdge)}", nameof(Refiner));
        if (Weights is { } w && !Media.InputFile.HasKindExtension(w, ".tflite"))
            throw new ArgumentException($"{w}: {nameof(Model)} {name} reads a .tflite selfie model (or, without {nameof(Weights)}, the embedded one)", nameof(Weights));
        if (!(MaskSmoothing >= 0 && MaskSmoothing <= SelfieOptions.MaxSmoothing))
            throw new ArgumentException($"{nameof(MaskSmoothing)} must be a number from 0 to {SelfieOptions.MaxSmoothing}, got {MaskSmoothing}", nameof(MaskSmoothing));
    }

    /// <summary>The one range check of a downsample ratio (null = auto).</summary>
    /// <exception cref="ArgumentException">Outside (0, 1].</exception>
    internal static void ValidateRatio(double? ratio)
    {
        if (ratio is { } r && !(r > 0 && r <= 1))
            throw new ArgumentException($"{nameof(DownsampleRatio)} must be auto or a number in (0, 1], got {r}", nameof(DownsampleRatio));
    }

    /// <summary>Whether any edge control changes the alpha.</summary>
    internal bool HasEdgeControls => Compositing.AlphaEdges.Changes(AlphaChoke, AlphaFeather, AlphaLevelLow, AlphaLevelHigh);

    /// <summary>The edge controls these settings ask for; null when they change nothing.</summary>
    internal Compositing.AlphaEdges? Edges()
        => HasEdgeControls
            ? new Compositing.AlphaEdges(AlphaChoke, AlphaFeather, AlphaLevelLow, AlphaLevelHigh)
            : null;

    /// <summary>The selfie segmenter a selfie <see cref="Model"/> names: <see cref="Weights"/> when given (a .tflite), else the embedded model.</summary>
    internal SelfieSegmenter OpenSelfie(SelfieOptions options)
        => Weights is { } path ? SelfieSegmenter.Load(path, options)
            : SelfieSegmenter.Load(Model == MatteModel.SelfieLandscape ? SelfieModel.Landscape : SelfieModel.General, options);
}
