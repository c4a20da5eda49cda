using System.Globalization;
using MatteKit.Conversion;
using MatteKit.Rvm;

namespace MatteKit.Cli;

/// <summary><c>mattekit convert</c>: the command-line face of <see cref="Converter"/>.</summary>
internal static class ConvertCommand
{
    public const string Help = """
        Usage: mattekit convert INPUT [options]

        INPUT                      a PNG image, or a folder of PNG images (one clip, natural order);
                                   also accepted as --input-source INPUT
        --output-alpha PATH        alpha matte (8-bit grey PNG)
        --output-foreground PATH   foreground colour (RGB PNG)
        --output-composition PATH  foreground over --background (RGB PNG, RGBA with transparent)
                                   PATH is a .png file for an image input, a folder for a folder input
        --output-segmentation PATH the segmentation pass (8-bit grey PNG): person probability, or a 0/255
                                   mask with --segmentation-threshold; needs weights with the segmentation
                                   head (official .pth files; not the TF.js model nor ONNX files)
        --segmentation-threshold T binary mask: 255 where the probability is >= T (0..1)
        --background COLOUR        green (default), black, white, #RRGGBB or transparent
        --downsample-ratio R|auto  network resolution as a fraction of the frame; auto (default) keeps the
                                   longer side about 512 px; 1 = full resolution, no refiner
        --weights PATH             TF.js model.json (or its folder), PyTorch .pth (MobileNetV3 or ResNet50,
                                   fast or deep guided filter), or an RVM .onnx file run as it is (official
                                   exports, float32 or float16, or one from export-onnx); default: embedded
                                   model. Official ONNX exports always resize and run their refiner, even
                                   at --downsample-ratio 1, so their output differs there from the others
        --refiner fast|deep        refiner for ratios below 1; default: deep when the weights have it
        --threads N                inference threads (default: one per core)
        --quiet                    no progress or summary
        """;

    private static readonly HashSet<string> ValueOptions = new()
    {
        "--input-source", "--output-alpha", "--output-foreground", "--output-composition",
        "--background", "--downsample-ratio", "--weights", "--threads",
        "--output-segmentation", "--segmentation-threshold", "--refiner",
    };

    private static readonly HashSet<string> Flags = new() { "--quiet", "--help" };

    public static int Run(string[] args)
    {
        var cl = new CommandLine(args, ValueOptions.Concat(PlateOptions.ValueOptions).ToHashSet(), Flags.Concat(PlateOptions.Flags).ToHashSet());
        if (cl.Has("--help"))
        {
            Console.WriteLine(Help + PlateOptions.Help);
            return 0;
        }
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
            Background = cl.Value("--background") ?? "green",
            DownsampleRatio = ParseRatio(cl.Value("--downsample-ratio")),
            Weights = cl.Value("--weights"),
            Threads = cl.Int("--threads", 0, 1),
            OutputSegmentation = cl.Value("--output-segmentation"),
            SegmentationThreshold = ParseThreshold(cl.Value("--segmentation-threshold")),
            Refiner = ParseRefiner(cl.Value("--refiner")),
            Plate = PlateOptions.Parse(cl),
        };
        if (options.OutputAlpha is null && options.OutputForeground is null && options.OutputComposition is null && options.OutputSegmentation is null
            && options.Plate?.OutputError is null && options.Plate?.OutputRefined is null)
            throw new UsageException("no output requested: give at least one of --output-alpha, --output-foreground, --output-composition, --output-segmentation");
        if (options.SegmentationThreshold is not null && options.OutputSegmentation is null)
            throw new UsageException("--segmentation-threshold needs --output-segmentation");
        if (options.Plate is not null && options.OutputSegmentation is not null)
            throw new UsageException("--output-segmentation is an RVM output; it does not combine with --background-plate");
        var paths = new[] { options.OutputAlpha, options.OutputForeground, options.OutputComposition, options.OutputSegmentation,
                options.Plate?.OutputError, options.Plate?.OutputRefined }
            .Where(p => p is not null)
            .Select(p => Path.GetFullPath(p!)).ToList();
        if (paths.Distinct().Count() != paths.Count) throw new UsageException("two outputs name the same path");

        bool quiet = cl.Has("--quiet");
        var progress = quiet ? null : new PlainProgress();
        var summary = Converter.Run(options, progress);
        if (!quiet)
        {
            var ratioText = options.DownsampleRatio is null ? $"auto -> {summary.DownsampleRatio:0.####}" : $"{summary.DownsampleRatio:0.####}";
            Console.WriteLine(summary.Mode ?? $"downsample ratio {ratioText} (network at {summary.NetworkWidth}x{summary.NetworkHeight})");
            Console.WriteLine(
                $"{summary.Frames} frame(s) in {summary.Total.TotalSeconds:F2} s ({summary.Frames / summary.Total.TotalSeconds:F1} fps): " +
                $"decode {summary.Decode.TotalSeconds:F2} s, inference {summary.Inference.TotalSeconds:F2} s, encode {summary.Encode.TotalSeconds:F2} s");
        }
        return 0;
    }

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
}
