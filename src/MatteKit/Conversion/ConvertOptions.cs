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
    /// Segmentation pass output (8-bit grey: PNG, PNG frames or a video, same rule as <see cref="OutputAlpha"/>): the person probability map, or a binary mask with
    /// <see cref="SegmentationThreshold"/>. Needs weights with the segmentation head (the official .pth files).
    /// </summary>
    public string? OutputSegmentation { get; init; }

    /// <summary>With <see cref="OutputSegmentation"/>: 255 where the probability is at least this, else 0; null = the probability map.</summary>
    public float? SegmentationThreshold { get; init; }

    /// <summary>Refiner for ratios below 1; null = deep guided filter when the weights hold one, else fast.</summary>
    public RvmRefiner? Refiner { get; init; }

    /// <summary>
    /// Composition background: green, black, white, #RRGGBB, blur[:SIGMA] (the frame itself blurred), an image file (scaled to cover, centre-cropped),
    /// a video file (looped or trimmed to the input's length, resized the same way), or transparent.
    /// </summary>
    public string Background { get; init; } = "green";

    /// <summary>Video bit rate in Mbit/s; null = constant quality (<see cref="Crf"/> or the codec's default).</summary>
    public double? OutputVideoMbps { get; init; }

    /// <summary>Constant rate factor for H.264/VP9; null = the codec's default here (H.264 18, VP9 30).</summary>
    public int? Crf { get; init; }

    /// <summary>
    /// x264 speed preset for H.264 outputs (ultrafast .. veryslow); null = veryfast. Faster presets leave more of
    /// the CPU to inference at a larger file size for the same quality.
    /// </summary>
    public string? H264Preset { get; init; }

    /// <summary>null = auto (network's longer side about 512 px).</summary>
    public double? DownsampleRatio { get; init; }

    /// <summary>Scale every input frame to this size before matting; null = the input's size.</summary>
    public (int Width, int Height)? InputResize { get; init; }

    /// <summary>
    /// Frames per network call (the official converter's <c>--seq-chunk</c>), also the depth of the queues between
    /// the decode, inference and encode stages. The
    /// ConvGRUs step through the chunk's frames in order, so results do not depend on it. Segmentation and plate
    /// mode run one frame per call. 1 (the default): on CPU no speed-up was measured (docs/performance.md).
    /// </summary>
    public int SeqChunk { get; init; } = 1;

    /// <summary>Weights file; null = the embedded default model.</summary>
    public string? Weights { get; init; }

    /// <summary>Inference threads; 0 = one per core; at most <see cref="ConvertLimits.MaxThreads"/>.</summary>
    public int Threads { get; init; }

    /// <summary>Largest frame accepted, in pixels (input, resize and background); see <see cref="ConvertLimits.DefaultMaxPixels"/>.</summary>
    public long MaxPixels { get; init; } = ConvertLimits.DefaultMaxPixels;

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

    /// <summary>Which frames <see cref="Warmup"/> takes.</summary>
    internal WarmupOrder WarmupOrder { get; init; } = WarmupOrder.Forward;

    /// <summary>Leave the input's audio out of video outputs.</summary>
    public bool NoAudio { get; init; }

    /// <summary>
    /// Decode, matte and encode one frame after another on one thread instead of concurrently: the baseline the
    /// benchmark compares the pipeline with.
    /// </summary>
    internal bool Sequential { get; init; }

    /// <summary>The network that makes the alpha: RVM (default) or a MediaPipe selfie model (a refined mask).</summary>
    public MatteModel Model { get; init; } = MatteModel.Rvm;

    /// <summary>Selfie models: the share of the previous frame's mask in each frame's, 0 (default) to <see cref="SelfieOptions.MaxSmoothing"/>.</summary>
    public float MaskSmoothing { get; init; }

    /// <summary>Selfie models: how the mask is brought to the frame's size.</summary>
    public SelfieEdge MaskEdge { get; init; } = SelfieEdge.GuidedFilter;

    /// <summary>Keep one person only (<c>--subject</c>): alpha is set to 0 outside the chosen person's region; null = everyone.</summary>
    public SubjectChoice? Subject { get; init; }

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
            throw new ArgumentException("no output requested: give at least one of --output-alpha, --output-foreground, --output-composition, " +
                (Plate is null ? "--output-segmentation" : "--output-error, --output-refined"));
        if (Plate is not null && OutputSegmentation is not null)
            throw new ArgumentException("--output-segmentation is an RVM output; it does not combine with --background-plate");
        if (SegmentationThreshold is not null && OutputSegmentation is null)
            throw new ArgumentException("--segmentation-threshold needs --output-segmentation");
        if (SegmentationThreshold is { } threshold && !(threshold >= 0 && threshold <= 1))
            throw new ArgumentException($"--segmentation-threshold must be a number in [0, 1], got {threshold}");
        if (OutputVideoMbps is not null && Crf is not null)
            throw new ArgumentException("give either --output-video-mbps or --crf, not both");
        if (OutputVideoMbps is { } mbps && !(mbps > 0 && mbps <= 10_000))
            throw new ArgumentException($"--output-video-mbps must be a number in (0, 10000], got {mbps}");
        if (Crf is { } crf && crf is < 0 or > ConvertLimits.MaxCrf)
            throw new ArgumentException($"--crf must be a whole number from 0 to {ConvertLimits.MaxCrf} (x264 stops at 51), got {crf}");
        if (H264Preset is { } preset && !VideoContainer.H264Presets.Contains(preset))
            throw new ArgumentException($"--x264-preset must be one of {string.Join(", ", VideoContainer.H264Presets)}, got '{preset}'");
        if (SeqChunk is < 1 or > ConvertLimits.MaxSeqChunk)
            throw new ArgumentException($"--seq-chunk must be a whole number from 1 to {ConvertLimits.MaxSeqChunk}, got {SeqChunk}");
        if (Threads < 0 || Threads > ConvertLimits.MaxThreads)
            throw new ArgumentException($"--threads must be a whole number from 1 to {ConvertLimits.MaxThreads} (the cores present), got {Threads}");
        if (MaxPixels < 1) throw new ArgumentException($"--max-pixels must be at least 1, got {MaxPixels}");
        if (ReadTimeout <= TimeSpan.Zero) throw new ArgumentException($"--read-timeout must be positive, got {ReadTimeout.TotalSeconds} s");
        if (StartSeconds is { } start && !(start >= 0 && double.IsFinite(start))) throw new ArgumentException($"--start must be a number of seconds >= 0, got {start}");
        if (DurationSeconds is { } d && !(d > 0 && double.IsFinite(d))) throw new ArgumentException($"--duration must be a positive number of seconds, got {d}");
        if (Frames is not null && (StartSeconds is not null || DurationSeconds is not null))
            throw new ArgumentException("--frames selects by frame index; it does not combine with --start or --duration");
        if (Warmup is < 0 or > ConvertLimits.MaxWarmup)
            throw new ArgumentException($"--warmup must be a whole number from 0 to {ConvertLimits.MaxWarmup}, got {Warmup}");
        if (Warmup > 0 && Plate is not null)
            throw new ArgumentException("--warmup primes RVM's recurrent state; the background-plate mode has none");
        if ((Frames is not null || Warmup > 0) && FrameSource.IsStream(Input))
            throw new ArgumentException($"{Input}: --frames and --warmup need a file or a folder of images (a stream cannot be read twice)");
        if (InputResize is { } r)
        {
            if (r.Width <= 0 || r.Height <= 0) throw new ArgumentException("--input-resize needs a positive WxH");
            if ((long)r.Width * r.Height > MaxPixels)
                throw new ArgumentException($"--input-resize {r.Width}x{r.Height} is {(long)r.Width * r.Height} pixels, above the limit of {MaxPixels} (--max-pixels)");
            ConvertLimits.CheckChunk(SeqChunk, r.Width, r.Height);
        }
        if (DownsampleRatio is { } ratio && !(ratio > 0 && ratio <= 1))
            throw new ArgumentException($"--downsample-ratio must be auto or a number in (0, 1], got {ratio}");
        Plate?.Refinement.Validate();
        ValidateModel();
        if (Subject is not null && (Frames is { Start: > 0 } || Warmup > 0))
            throw new ArgumentException("--subject follows one person from the first frame on; a chunk of a longer run (--frames, --warmup, " +
                "--workers, plan) cannot know whom the earlier chunks followed, so convert in one pass");
        PathCollisions.Check(this);
    }

    private void ValidateModel()
    {
        MatteModelSettings.Check(Model, Weights, MaskSmoothing, MaskEdge, DownsampleRatio is not null, Refiner is not null);
        if (Model == MatteModel.Rvm) return;
        string model = MatteModelSettings.Name(Model);
        if (Plate is not null) throw new ArgumentException($"--model {model} does not combine with --background-plate (BackgroundMattingV2 is its own model)");
        if (OutputSegmentation is not null) throw new ArgumentException($"--output-segmentation is RVM's segmentation pass; with --model {model}, --output-alpha is the mask");
        if (SeqChunk != 1) throw new ArgumentException($"--seq-chunk is RVM's; --model {model} takes one frame per call");
    }
}
