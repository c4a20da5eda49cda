using MatteKit.Inference;
using MatteKit.Media;
using MatteKit.Selfie;
using MatteKit.Subjects;

namespace MatteKit.Conversion;

/// <summary>
/// What makes the alpha, as both <c>convert</c> (<see cref="From(ConvertOptions)"/>) and <c>live</c> give it, and
/// the one place that turns it into an <see cref="IFrameMatter"/> (<see cref="Open"/>): RVM, a selfie model or a
/// background plate, kept to one person when a subject is chosen. The options are validated by their owners
/// (<see cref="ConvertOptions.Validate"/>, <c>LiveMatterOptions.Validate</c>) before they come here.
/// </summary>
internal sealed record FrameMatterSettings
{
    /// <summary>The model, its weights, the ratio, the threads and the mask options, as the user gave them.</summary>
    public MattingSettings Matting { get; init; } = new();

    /// <summary>RVM's matting pass: frames per network call (<c>--seq-chunk</c>).</summary>
    public int FramesPerCall { get; init; } = 1;

    /// <summary>RVM: whether the matting pass runs (alpha, foreground or composition wanted).</summary>
    public bool MattingPass { get; init; } = true;

    /// <summary>RVM: whether the segmentation pass runs, and its mask threshold (null: the probability).</summary>
    public bool Segmentation { get; init; }

    public float? SegmentationThreshold { get; init; }

    /// <summary>RVM and selfie models: sessions kept for other frame sizes and ratios (each holds its buffers).</summary>
    public int MaxCachedSizes { get; init; } = new MatterOptions().MaxCachedSizes;

    /// <summary>Background-plate mode (BackgroundMattingV2 instead of <see cref="MattingSettings.Model"/>); null = none.</summary>
    public PlateMode? Plate { get; init; }

    /// <summary>
    /// The plate for <see cref="PlateMode.Auto"/> and how it was made: the temporal median of <c>convert</c>'s input
    /// (<see cref="TemporalMedianPlate"/>); null where there is no input to take it from (live).
    /// </summary>
    public Func<(RgbImage Plate, string Description)>? AutoPlate { get; init; }

    /// <summary>The person to keep (<c>--subject</c>); null = everyone.</summary>
    public SubjectChoice? Subject { get; init; }

    /// <summary>A plan's chunk: the person pass the plan stored, applied frame by frame; null = none.</summary>
    public StoredSubject? StoredSubject { get; init; }

    /// <summary>Whether an output is deeper than 8 bits: the network's unrounded alpha and foreground are kept (<see cref="FrameSlot.HasDeep"/>).</summary>
    public bool Deep { get; init; }

    /// <summary>Whether the person may be chosen later (a live page): the detector is loaded even without a subject.</summary>
    public bool SubjectChangeable { get; init; }

    /// <summary>Whether the finishing settings (edge controls, foreground estimation) may change while frames flow (live).</summary>
    public bool FinishingChangeable { get; init; }

    /// <summary>The settings <paramref name="options"/> give.</summary>
    public static FrameMatterSettings From(ConvertOptions options) => new()
    {
        Matting = options.Matting,
        FramesPerCall = options.SeqChunk,
        MattingPass = options.OutputAlpha is not null || options.OutputForeground is not null || options.OutputComposition is not null,
        Segmentation = options.OutputSegmentation is not null,
        SegmentationThreshold = options.SegmentationThreshold,
        Plate = options.Plate,
        AutoPlate = () => (TemporalMedianPlate.Build(options, out var how), how),
        Subject = options.Subject,
        StoredSubject = options.StoredSubject,
        Deep = options.HasDeepOutput,
    };

    /// <summary>The runner these settings describe, loaded (weights read, sessions not yet built).</summary>
    /// <exception cref="WeightsFormatException">The weights cannot be used.</exception>
    /// <exception cref="MediaFormatException">The plate cannot be read or made.</exception>
    /// <exception cref="ArgumentException">The weights do not fit what is asked (no segmentation head, no plate weights).</exception>
    public IFrameMatter Open()
    {
        IFrameMatter matter = Plate is { } plate ? OpenPlate(plate)
            : Matting.Model == MatteModel.Rvm ? OpenRvm()
            : OpenSelfie();
        if (StoredSubject is { } stored) matter = StoredSubjectFrameMatter.Wrap(matter, stored, Matting.MaxPixels);
        else if (Subject is not null || SubjectChangeable) matter = SubjectFrameMatter.Wrap(matter, Subject, Matting.Threads);
        return FinishingFrameMatter.Wrap(matter, Matting, FinishingChangeable);
    }

    // ffmpeg children and the decode/encode threads share the cores with inference (convert and live alike):
    // spinning ORT workers would take time from them (measured on 2 cores: 720p pipeline 3.3 -> 4.8 fps without spinning).
    private RvmFrameMatter OpenRvm()
        => RvmFrameMatter.Load(Matting.Weights, new MatterOptions
            {
                Threads = Matting.Threads, Refiner = Matting.Refiner, SpinWhileIdle = false, MaxCachedSizes = MaxCachedSizes,
                Int8Ranges = Matting.Int8 ? EmbeddedInt8Ranges.Load() : null,
            },
            MattingPass, Segmentation, SegmentationThreshold, Matting.DownsampleRatio, FramesPerCall, Deep);

    private SelfieFrameMatter OpenSelfie()
    {
        var options = new SelfieOptions
        {
            Threads = Matting.Threads, SpinWhileIdle = false, Edge = Matting.MaskEdge, Smoothing = Matting.MaskSmoothing, MaxCachedSizes = MaxCachedSizes,
        };
        return new SelfieFrameMatter(Matting.OpenSelfie(options), Matting.MaskEdge, Matting.MaskSmoothing);
    }

    private PlateFrameMatter OpenPlate(PlateMode mode)
    {
        bool auto = mode.Plate.Equals(PlateMode.Auto, StringComparison.OrdinalIgnoreCase);
        Func<(RgbImage Plate, string Description)> plate = !auto ? () => (PlateFrameMatter.ReadPlate(mode.Plate), mode.Plate)
            : AutoPlate ?? throw new ArgumentException($"Plate {PlateMode.Auto} needs an input to take the plate from");
        return PlateFrameMatter.Load(Matting.Weights, mode.Refinement with { Threads = Matting.Threads }, mode.Plate, plate,
            mode.ResizePlate, mode.OutputError is not null, mode.OutputRefined is not null, Deep);
    }
}
