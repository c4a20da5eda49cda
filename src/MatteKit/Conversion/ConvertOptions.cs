using MatteKit.Rvm;

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
    /// Composition background: green, black, white, #RRGGBB, an image file (scaled to cover, centre-cropped),
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
    /// mode run one frame per call. 1 (the default): on CPU no speed-up was measured (README).
    /// </summary>
    public int SeqChunk { get; init; } = 1;

    /// <summary>Weights file; null = the embedded default model.</summary>
    public string? Weights { get; init; }

    /// <summary>Inference threads; 0 = one per core.</summary>
    public int Threads { get; init; }

    /// <summary>Where in the input to start, in seconds (video inputs).</summary>
    public double? StartSeconds { get; init; }

    /// <summary>How much of the input to convert, in seconds (video inputs).</summary>
    public double? DurationSeconds { get; init; }

    /// <summary>Leave the input's audio out of video outputs.</summary>
    public bool NoAudio { get; init; }

    /// <summary>
    /// Decode, matte and encode one frame after another on one thread instead of concurrently: the baseline the
    /// benchmark compares the pipeline with.
    /// </summary>
    internal bool Sequential { get; init; }

    /// <summary>Background-plate mode (BackgroundMattingV2 with these settings); null = RVM, no plate.</summary>
    public PlateSettings? Plate { get; init; }
}
