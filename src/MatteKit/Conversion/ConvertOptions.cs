using MatteKit.Media.Ffmpeg;

namespace MatteKit.Conversion;

/// <summary>What <see cref="Converter"/> reads, writes and how it runs the network.</summary>
public sealed record ConvertOptions
{
    /// <summary>
    /// A video file (anything ffmpeg decodes), a folder of images (one clip, natural order), a single image, or
    /// <c>-</c> (stdin), a URL or a device that ffmpeg can open.
    /// </summary>
    public required string Input { get; init; }

    /// <summary>Alpha matte output: a video file, a folder for PNG frames, or a .png for a single image input.</summary>
    public string? OutputAlpha { get; init; }

    /// <summary>Foreground colour output, same rule as <see cref="OutputAlpha"/>.</summary>
    public string? OutputForeground { get; init; }

    /// <summary>Foreground over <see cref="Background"/>, same rule as <see cref="OutputAlpha"/>.</summary>
    public string? OutputComposition { get; init; }

    /// <summary>Video or PNG sequence; <see cref="OutputType.Auto"/> decides by each path's extension.</summary>
    public OutputType OutputType { get; init; } = OutputType.Auto;

    /// <summary>
    /// Bits per sample of PNG and ProRes (.mov) outputs: 8 (default) or 16. 16 keeps the network's unrounded alpha and
    /// foreground: PNGs of 16 bits; ProRes 4444 with a 16-bit alpha plane, both at 10 bits (what ffmpeg's encoder takes). H.264, VP9 and
    /// GIF hold 8 bits; OpenEXR (<see cref="OutputType.ExrSequence"/>) is half float whatever this says.
    /// </summary>
    public int BitDepth { get; init; } = 8;

    /// <summary>
    /// Whether outputs with alpha (a composition over a transparent background; an EXR foreground) store colour
    /// multiplied by alpha (true) or straight, beside it (false); null = each format's convention: premultiplied in OpenEXR
    /// (in linear light there), straight in PNG and video (premultiplied there means the stored values times alpha).
    /// </summary>
    public bool? PremultiplyAlpha { get; init; }

    /// <summary>Whether an output is deeper than 8 bits, so the runner keeps its unrounded results.</summary>
    internal bool HasDeepOutput => BitDepth == 16 || OutputType == OutputType.ExrSequence;

    /// <summary>Whether an output holds alpha beside colour, for <see cref="PremultiplyAlpha"/>.</summary>
    internal bool HasOutputWithAlpha
        => (OutputComposition is not null && Background.IsTransparent) || (OutputForeground is not null && OutputType == OutputType.ExrSequence);

    /// <summary>
    /// Segmentation pass output (8-bit grey: PNG, PNG frames or a video, same rule as <see cref="OutputAlpha"/>): the person probability map, or a binary mask with
    /// <see cref="SegmentationThreshold"/>. Needs weights with the segmentation head (the official .pth files).
    /// </summary>
    public string? OutputSegmentation { get; init; }

    /// <summary>With <see cref="OutputSegmentation"/>: 255 where the probability is at least this, else 0; null = the probability map.</summary>
    public float? SegmentationThreshold { get; init; }

    /// <summary>What <see cref="OutputComposition"/> lays the foreground over.</summary>
    public Background Background { get; init; } = Background.Green;

    /// <summary>How to matte: the model, its weights, the ratio, the threads, the mask options, the largest frame.</summary>
    public MattingSettings Matting { get; init; } = new();

    /// <summary>Video bit rate in Mbit/s; null = constant quality (<see cref="Crf"/> or the codec's default).</summary>
    public double? OutputVideoMbps { get; init; }

    /// <summary>Constant rate factor for H.264/VP9; null = the codec's default here (H.264 18, VP9 30).</summary>
    public int? Crf { get; init; }

    /// <summary>
    /// x264 speed preset for H.264 outputs (ultrafast .. veryslow); null = veryfast. Faster presets leave more of
    /// the CPU to inference at a larger file size for the same quality.
    /// </summary>
    public string? H264Preset { get; init; }

    /// <summary>Scale every input frame to this size before matting; null = the input's size.</summary>
    public (int Width, int Height)? InputResize { get; init; }

    /// <summary>
    /// Frames per network call (the official converter's <c>--seq-chunk</c>), also the depth of the queues between
    /// the decode, inference and encode stages. The
    /// ConvGRUs step through the chunk's frames in order, so results do not depend on it. Segmentation and plate
    /// mode run one frame per call. 1 (the default): on CPU no speed-up was measured (docs/performance.md).
    /// </summary>
    public int SeqChunk { get; init; } = 1;

    /// <summary>How long an input may deliver nothing (probing, the next frame) before the conversion fails.</summary>
    public TimeSpan ReadTimeout { get; init; } = ConvertLimits.DefaultReadTimeout;

    /// <summary>Where in the input to start, in seconds (video inputs).</summary>
    public double? StartSeconds { get; init; }

    /// <summary>How much of the input to convert, in seconds (video inputs).</summary>
    public double? DurationSeconds { get; init; }

    /// <summary>Convert exactly these frames, by index (a chunk of a longer run); null = all of them.</summary>
    public FrameRange? Frames { get; init; }

    /// <summary>Frames that prime the recurrent state before the first converted frame, their outputs discarded.</summary>
    public int Warmup { get; init; }

    /// <summary>
    /// RVM: frames of the input's own opening that prime the recurrent state before frame 0, run backwards with their
    /// outputs discarded (a zero state mattes the first frames worse); 0 = start from a zero state. Files and folders
    /// only (a stream is read once); a chunk starting at frame 0 primes the same way, so a plan's joined output equals
    /// one pass. Measured on 13 clips with exact truth: <c>docs/convert.md</c>.
    /// </summary>
    public int Priming { get; init; } = ConvertLimits.DefaultPriming;

    /// <summary>The frames that prime the state at frame 0: <see cref="Priming"/> where it applies (RVM, a file or folder), else 0.</summary>
    internal int PrimingFrames => Priming > 0 && Plate is null && Matting.Model == MatteModel.Rvm && !FrameSource.IsStream(Input) ? Priming : 0;

    /// <summary>Which frames <see cref="Warmup"/> takes.</summary>
    internal WarmupOrder WarmupOrder { get; init; } = WarmupOrder.Forward;

    /// <summary>Leave the input's audio out of video outputs.</summary>
    public bool NoAudio { get; init; }

    /// <summary>
    /// Decode, matte and encode one frame after another on one thread instead of concurrently: the baseline the
    /// benchmark compares the pipeline with.
    /// </summary>
    internal bool Sequential { get; init; }

    /// <summary>Keep one person only (<c>--subject</c>): alpha is set to 0 outside the chosen person's region; null = everyone.</summary>
    public SubjectChoice? Subject { get; init; }

    /// <summary>A plan's chunk with a subject: the person pass the plan stored, applied by frame index; null = none.</summary>
    internal Subjects.StoredSubject? StoredSubject { get; init; }

    /// <summary>Background-plate mode (BackgroundMattingV2: which plate, its outputs, the refinement); null = RVM, no plate.</summary>
    public PlateMode? Plate { get; init; }

    /// <summary>
    /// Checks the options against each other, against their bounds (<see cref="ConvertLimits"/>) and against the
    /// file system: no output may be the same file as an input or as another output. Runs before anything is read.
    /// </summary>
    /// <exception cref="ArgumentException">One line naming the option (or path) and the problem.</exception>
    public void Validate()
    {
        if (OutputAlpha is null && OutputForeground is null && OutputComposition is null && OutputSegmentation is null
            && Plate?.OutputError is null && Plate?.OutputRefined is null)
            throw new ArgumentException($"no output requested: give at least one of {nameof(OutputAlpha)}, {nameof(OutputForeground)}, {nameof(OutputComposition)}, " +
                (Plate is null ? nameof(OutputSegmentation) : $"{nameof(PlateMode.OutputError)}, {nameof(PlateMode.OutputRefined)}"));
        Matting.Validate();
        if (Plate is not null && OutputSegmentation is not null)
            throw new ArgumentException($"{nameof(OutputSegmentation)} is an RVM output; it does not combine with {nameof(Plate)}", nameof(OutputSegmentation));
        if (Plate is not null && Matting.Int8)
            throw new ArgumentException($"{nameof(MattingSettings.Int8)} is for RVM; the background-plate mode runs in float32", nameof(MattingSettings.Int8));
        if (Plate is not null && Matting.DownsampleRatio is not null)
            throw new ArgumentException($"{nameof(MattingSettings.DownsampleRatio)} is for the RVM mode; with {nameof(Plate)} use {nameof(PlateMatterOptions.BackboneScale)}", nameof(MattingSettings.DownsampleRatio));
        if (SegmentationThreshold is not null && OutputSegmentation is null)
            throw new ArgumentException($"{nameof(SegmentationThreshold)} needs {nameof(OutputSegmentation)}", nameof(SegmentationThreshold));
        if (SegmentationThreshold is { } threshold && !(threshold >= 0 && threshold <= 1))
            throw new ArgumentException($"{nameof(SegmentationThreshold)} must be a number in [0, 1], got {threshold}", nameof(SegmentationThreshold));
        if (BitDepth is not (8 or 16))
            throw new ArgumentException($"{nameof(BitDepth)} must be 8 or 16, got {BitDepth}", nameof(BitDepth));
        if (BitDepth == 16 && OutputType == OutputType.ExrSequence)
            throw new ArgumentException($"{nameof(BitDepth)} is for PNG and ProRes outputs; an EXR sequence ({nameof(OutputType)} exr_sequence) is half float", nameof(BitDepth));
        if (PremultiplyAlpha is not null && !HasOutputWithAlpha)
            throw new ArgumentException($"{nameof(PremultiplyAlpha)} is for outputs with alpha: a composition over a transparent background, or an EXR foreground; none is asked", nameof(PremultiplyAlpha));
        if (OutputVideoMbps is not null && Crf is not null)
            throw new ArgumentException($"give either {nameof(OutputVideoMbps)} or {nameof(Crf)}, not both", nameof(Crf));
        if (OutputVideoMbps is { } mbps && !(mbps > 0 && mbps <= 10_000))
            throw new ArgumentException($"{nameof(OutputVideoMbps)} must be a number in (0, 10000], got {mbps}", nameof(OutputVideoMbps));
        if (Crf is { } crf && crf is < 0 or > ConvertLimits.MaxCrf)
            throw new ArgumentException($"{nameof(Crf)} must be a whole number from 0 to {ConvertLimits.MaxCrf} (x264 stops at 51), got {crf}", nameof(Crf));
        if (H264Preset is { } preset && !VideoContainer.H264Presets.Contains(preset))
            throw new ArgumentException($"{nameof(H264Preset)} must be one of {string.Join(", ", VideoContainer.H264Presets)}, got '{preset}'", nameof(H264Preset));
        if (SeqChunk is < 1 or > ConvertLimits.MaxSeqChunk)
            throw new ArgumentException($"{nameof(SeqChunk)} must be a whole number from 1 to {ConvertLimits.MaxSeqChunk}, got {SeqChunk}", nameof(SeqChunk));
        ConvertLimits.CheckReadTimeout(ReadTimeout);
        if (StartSeconds is { } start && !(start >= 0 && start <= ConvertLimits.MaxSeconds))
            throw new ArgumentException($"{nameof(StartSeconds)} must be a number of seconds from 0 to {ConvertLimits.MaxSeconds:0}, got {start}", nameof(StartSeconds));
        if (DurationSeconds is { } d && !(d > 0 && d <= ConvertLimits.MaxSeconds))
            throw new ArgumentException($"{nameof(DurationSeconds)} must be a positive number of seconds, at most {ConvertLimits.MaxSeconds:0}, got {d}", nameof(DurationSeconds));
        // The subject's time has the start's bound: 1e308 became frame "Infinity" when the frame rate turned it into a frame.
        if (Subject?.Seconds is { } subjectTime && !(subjectTime <= ConvertLimits.MaxSeconds))
            throw new ArgumentException($"SubjectTime must be a number of seconds from 0 to {ConvertLimits.MaxSeconds:0}, got {subjectTime}", "SubjectTime");
        if (Frames is not null && (StartSeconds is not null || DurationSeconds is not null))
            throw new ArgumentException($"{nameof(Frames)} selects by frame index; it does not combine with {nameof(StartSeconds)} or {nameof(DurationSeconds)}", nameof(Frames));
        if (Warmup is < 0 or > ConvertLimits.MaxWarmup)
            throw new ArgumentException($"{nameof(Warmup)} must be a whole number from 0 to {ConvertLimits.MaxWarmup}, got {Warmup}", nameof(Warmup));
        if (Priming is < 0 or > ConvertLimits.MaxWarmup)
            throw new ArgumentException($"{nameof(Priming)} must be a whole number from 0 to {ConvertLimits.MaxWarmup}, got {Priming}", nameof(Priming));
        if (Warmup > 0 && Plate is not null)
            throw new ArgumentException($"{nameof(Warmup)} primes RVM's recurrent state; the background-plate mode has none", nameof(Warmup));
        if ((Frames is not null || Warmup > 0) && FrameSource.IsStream(Input))
            throw new ArgumentException($"{Input}: {nameof(Frames)} and {nameof(Warmup)} need a file or a folder of images (a stream cannot be read twice)", nameof(Input));
        if (InputResize is { } r)
        {
            if (r.Width <= 0 || r.Height <= 0) throw new ArgumentException($"{nameof(InputResize)} needs a positive WxH", nameof(InputResize));
            if ((long)r.Width * r.Height > Matting.MaxPixels)
                throw new ArgumentException($"{nameof(InputResize)} {r.Width}x{r.Height} is {(long)r.Width * r.Height} pixels, above the limit of {Matting.MaxPixels} ({nameof(MattingSettings.MaxPixels)})", nameof(InputResize));
            ConvertLimits.CheckChunk(SeqChunk, r.Width, r.Height);
        }
        Plate?.Refinement.Validate();
        ValidateModel();
        if (Subject is not null && (Frames is { Start: > 0 } || Warmup > 0))
            throw new ArgumentException($"{nameof(Subject)} follows one person from the first frame on; a chunk of a longer run ({nameof(Frames)}, {nameof(Warmup)}) " +
                "cannot know whom the earlier frames followed: convert in one pass, or make a plan (its person pass runs once over the whole input)", nameof(Subject));
        if (Subject is not null && StoredSubject is not null) throw new ArgumentException("a chunk keeps the subject its plan stored, not one of its own", nameof(Subject));
        // "-" as INPUT is stdin, so "-" as an output reads as stdout; it was written as a folder of PNG frames named "-".
        foreach (var (option, path) in PathCollisions.Outputs(this))
            if (path == "-")
                throw new ArgumentException($"{option} is -, but a conversion writes files, not stdout: name a file, or a folder for PNG frames", option);
        PathCollisions.Check(this);
    }

    private void ValidateModel()
    {
        if (Matting.Model == MatteModel.Rvm) return;
        string model = MatteModelNames.Of(Matting.Model);
        if (Plate is not null)
            throw new ArgumentException($"{nameof(MattingSettings.Model)} {model} does not combine with {nameof(Plate)} (BackgroundMattingV2 is its own model)", nameof(MattingSettings.Model));
        if (OutputSegmentation is not null)
            throw new ArgumentException($"{nameof(OutputSegmentation)} is RVM's segmentation pass; with {nameof(MattingSettings.Model)} {model}, {nameof(OutputAlpha)} is the mask", nameof(OutputSegmentation));
        if (SeqChunk != 1) throw new ArgumentException($"{nameof(SeqChunk)} is RVM's; {nameof(MattingSettings.Model)} {model} takes one frame per call", nameof(SeqChunk));
    }
}
