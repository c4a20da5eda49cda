using System.Globalization;
using MatteKit.Conversion;
using MatteKit.Media;
using MatteKit.Rvm;

namespace MatteKit.Cli;

/// <summary><c>mattekit convert</c>: the command-line face of <see cref="Converter"/>.</summary>
internal static class ConvertCommand
{
    public const string Help = """
        Usage: mattekit convert INPUT [options]

        INPUT                        a video file (anything ffmpeg decodes), a folder of images (one clip,
                                     natural order), one image, or - (stdin), a URL or a device ffmpeg opens;
                                     also accepted as --input-source INPUT
        --output-composition PATH    foreground over --background
        --output-alpha PATH          alpha matte (grey)
        --output-foreground PATH     foreground colour
        --output-segmentation PATH   the segmentation pass (grey): person probability, or a 0/255 mask with
                                     --segmentation-threshold; needs weights with the segmentation head
                                     (official .pth files; not the TF.js model nor ONNX files)
                                     PATH: .mp4/.m4v/.mkv (H.264), .webm (VP9), .mov (ProRes), .gif, a folder
                                     for PNG frames, or a .png for a single image input
        --segmentation-threshold T   binary mask: 255 where the probability is >= T (0..1)
        --output-type TYPE           video or png_sequence (default: from each PATH's extension)
        --output-video-mbps N        video bit rate in Mbit/s (fractions allowed)
        --crf N                      constant quality instead (H.264 default 18, VP9 default 30)
        --x264-preset NAME           H.264 encoder speed: ultrafast, superfast, veryfast (default), faster,
                                     fast, medium, slow, slower, veryslow; faster leaves more CPU to matting,
                                     slower makes smaller files at the same --crf
        --background BG              green (default, 120,255,155), black, white, #RRGGBB, an image (scaled to
                                     cover, centre-cropped), a video (looped or cut to the input's length), or
                                     transparent (.webm VP9 with alpha, .mov ProRes 4444, .gif, RGBA PNGs)
        --downsample-ratio R|auto    network resolution as a fraction of the frame; auto (default) keeps the
                                     longer side about 512 px; 1 = full resolution, no refiner
        --input-resize WxH           scale input frames to WxH first
        --seq-chunk N                frames per network call (1 to 32, default 1), as the official converter's
                                     seq_chunk: the ConvGRUs step through them in order, so results are the
                                     same; on CPU chunks of 4 measured about 1.1x slower (see README).
                                     Segmentation and plate mode still run one frame per call
        --start SECONDS              start this far into the input
        --duration SECONDS           convert only this much of the input
        --no-audio                   leave the input's audio out (kept by default: copied when the container
                                     allows, re-encoded otherwise)
        --weights PATH               TF.js model.json (or its folder), PyTorch .pth (MobileNetV3 or ResNet50,
                                     fast or deep guided filter), or an RVM .onnx file run as it is (official
                                     exports, float32 or float16, or one from export-onnx); default: embedded
                                     model. Official ONNX exports always resize and run their refiner, even
                                     at --downsample-ratio 1, so their output differs there from the others
        --refiner fast|deep          refiner for ratios below 1; default: deep when the weights have it
        --threads N                  inference threads, 1 to the cores present (default: one per core)
        --max-pixels N               largest frame accepted (input, resize, background), checked against each
                                     file's header before decoding; default 40000000 (above 8K DCI)
        --read-timeout SECONDS       give up on an input that sends nothing this long (default 30)
        --quiet                      no progress or summary
        """;

    private static string? ParsePreset(string? text)
    {
        if (text is null) return null;
        var preset = text.ToLowerInvariant();
        return MatteKit.Media.Ffmpeg.VideoContainer.H264Presets.Contains(preset) ? preset
            : throw new UsageException($"--x264-preset must be one of {string.Join(", ", MatteKit.Media.Ffmpeg.VideoContainer.H264Presets)}, got '{text}'");
    }

    private static readonly HashSet<string> ValueOptions = new()
    {
        "--input-source", "--output-alpha", "--output-foreground", "--output-composition", "--output-type",
        "--output-video-mbps", "--crf", "--background", "--downsample-ratio", "--input-resize", "--seq-chunk",
        "--start", "--duration", "--weights", "--threads", "--x264-preset",
        "--output-segmentation", "--segmentation-threshold", "--refiner", "--max-pixels", "--read-timeout",
    };

    private static readonly HashSet<string> Flags = new() { "--quiet", "--help", "--no-audio" };

    public static int Run(string[] args, CancellationToken cancel)
    {
        var cl = CommandLine.ForCommand(args, ValueOptions.Concat(PlateOptions.ValueOptions).ToHashSet(),
            Flags.Concat(PlateOptions.Flags).ToHashSet(), Help + PlateOptions.Help, positional: true);
        if (cl is null) return 0;
        var input = cl.Value("--input-source");
        if (input is not null && cl.Positional.Count > 0) throw new UsageException("give INPUT either as an argument or as --input-source, not both");
        if (cl.Positional.Count > 1) throw new UsageException($"unexpected argument '{cl.Positional[1]}'");
        input ??= cl.Positional.FirstOrDefault() ?? throw new UsageException("no INPUT given (see mattekit convert --help)");

        var options = new ConvertOptions
        {
            Input = input,
            OutputAlpha = cl.Value("--output-alpha"),
            OutputForeground = cl.Value("--output-foreground"),
            OutputComposition = cl.Value("--output-composition"),
            OutputType = ParseOutputType(cl.Value("--output-type")),
            OutputVideoMbps = PositiveNumber(cl, "--output-video-mbps"),
            Crf = cl.Has("--crf") ? cl.Int("--crf", 0, 0) : null,
            H264Preset = ParsePreset(cl.Value("--x264-preset")),
            Background = cl.Value("--background") ?? "green",
            DownsampleRatio = ParseRatio(cl.Value("--downsample-ratio")),
            InputResize = cl.Size("--input-resize"),
            SeqChunk = cl.Int("--seq-chunk", 1, 1),
            StartSeconds = cl.Has("--start") ? NonNegativeNumber(cl, "--start") : null,
            DurationSeconds = PositiveNumber(cl, "--duration"),
            NoAudio = cl.Has("--no-audio"),
            Weights = cl.Value("--weights"),
            Threads = cl.Int("--threads", 0, 1),
            OutputSegmentation = cl.Value("--output-segmentation"),
            SegmentationThreshold = ParseThreshold(cl.Value("--segmentation-threshold")),
            Refiner = ParseRefiner(cl.Value("--refiner")),
            Plate = PlateOptions.Parse(cl),
            MaxPixels = cl.Has("--max-pixels") ? cl.Long("--max-pixels", 0, 1) : ConvertLimits.DefaultMaxPixels,
            ReadTimeout = cl.Has("--read-timeout") ? TimeSpan.FromSeconds(PositiveNumber(cl, "--read-timeout")!.Value) : ConvertLimits.DefaultReadTimeout,
        };
        // Every check of the options, their bounds and their paths is the library's; here it is a usage error (exit 2).
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }

        bool quiet = cl.Has("--quiet");
        // With stdout redirected the summary is written before the outputs are renamed into place, so that a
        // failure to write it (a full disk) leaves no outputs behind a non-zero exit code. On a terminal it
        // follows the live progress bar, which owns the screen until then.
        bool summaryFirst = !quiet && Console.IsOutputRedirected;
        Action<ConvertSummary>? beforeCommit = summaryFirst ? summary => PrintSummary(options, summary) : null;
        ConvertSummary result;
        if (quiet) result = Converter.Run(options, null, cancel, null);
        else if (LiveProgressBar.CanShow) result = LiveProgressBar.Run(p => Converter.Run(options, p, cancel, beforeCommit));
        else result = Converter.Run(options, new PlainProgress(), cancel, beforeCommit);
        if (!quiet && !summaryFirst) PrintSummary(options, result);
        return 0;
    }

    private static void PrintSummary(ConvertOptions options, ConvertSummary summary)
    {
        var ratioText = options.DownsampleRatio is null ? $"auto -> {summary.DownsampleRatio:0.####}" : $"{summary.DownsampleRatio:0.####}";
        try
        {
            Console.WriteLine(summary.Mode ?? $"downsample ratio {ratioText} (network at {summary.NetworkWidth}x{summary.NetworkHeight})");
            if (summary.RateNote is not null) Console.WriteLine(summary.RateNote);
            Console.WriteLine(
                $"{summary.Frames} frame(s) in {summary.Total.TotalSeconds:F2} s ({summary.Frames / summary.Total.TotalSeconds:F1} fps): " +
                $"decode {summary.Decode.TotalSeconds:F2} s, inference {summary.Inference.TotalSeconds:F2} s, encode {summary.Encode.TotalSeconds:F2} s" +
                " (time each stage was busy; they overlap)");
            Console.Out.Flush();
        }
        catch (IOException e)
        {
            throw new MediaFormatException("standard output", $"cannot be written ({e.Message.TrimEnd('.')}); no output was kept");
        }
    }

    private static OutputType ParseOutputType(string? text) => text switch
    {
        null => OutputType.Auto,
        "video" => OutputType.Video,
        "png_sequence" => OutputType.PngSequence,
        _ => throw new UsageException($"--output-type must be video or png_sequence, got '{text}'"),
    };

    private static float? ParseThreshold(string? text)
    {
        if (text is null) return null;
        if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float t) || !(t >= 0 && t <= 1))
            throw new UsageException($"--segmentation-threshold must be a number in [0, 1], got '{text}'");
        return t;
    }

    internal static RvmRefiner? ParseRefiner(string? text) => text switch
    {
        null => null,
        "fast" => RvmRefiner.FastGuidedFilter,
        "deep" => RvmRefiner.DeepGuidedFilter,
        _ => throw new UsageException($"--refiner must be fast or deep, got '{text}'"),
    };

    internal static double? ParseRatio(string? text)
    {
        if (text is null || text.Equals("auto", StringComparison.OrdinalIgnoreCase)) return null;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double r) || !(r > 0 && r <= 1))
            throw new UsageException($"--downsample-ratio must be auto or a number in (0, 1], got '{text}'");
        return r;
    }

    private static double? PositiveNumber(CommandLine cl, string name)
    {
        var text = cl.Value(name);
        if (text is null) return null;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !(v > 0) || double.IsInfinity(v))
            throw new UsageException($"{name} must be a positive number, got '{text}'");
        return v;
    }

    private static double NonNegativeNumber(CommandLine cl, string name)
    {
        var text = cl.Value(name)!;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !(v >= 0) || double.IsInfinity(v))
            throw new UsageException($"{name} must be a number of seconds >= 0, got '{text}'");
        return v;
    }
}
