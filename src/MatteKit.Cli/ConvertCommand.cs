using System.Globalization;
using MatteKit.Conversion;

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
        --background COLOUR        green (default), black, white, #RRGGBB or transparent
        --downsample-ratio R|auto  network resolution as a fraction of the frame; auto (default) keeps the
                                   longer side about 512 px; 1 = full resolution, no refiner
        --weights PATH             TF.js model.json (or its folder) or PyTorch .pth; default: embedded model
        --threads N                inference threads (default: one per core)
        --quiet                    no progress or summary
        """;

    private static readonly HashSet<string> ValueOptions = new()
    {
        "--input-source", "--output-alpha", "--output-foreground", "--output-composition",
        "--background", "--downsample-ratio", "--weights", "--threads",
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
            Plate = PlateOptions.Parse(cl),
        };
        if (options.OutputAlpha is null && options.OutputForeground is null && options.OutputComposition is null
            && options.Plate?.OutputError is null && options.Plate?.OutputRefined is null)
            throw new UsageException("no output requested: give at least one of --output-alpha, --output-foreground, --output-composition");
        var paths = new[] { options.OutputAlpha, options.OutputForeground, options.OutputComposition, options.Plate?.OutputError, options.Plate?.OutputRefined }
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

    private static double? ParseRatio(string? text)
    {
        if (text is null || text.Equals("auto", StringComparison.OrdinalIgnoreCase)) return null;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double r) || !(r > 0 && r <= 1))
            throw new UsageException($"--downsample-ratio must be auto or a number in (0, 1], got '{text}'");
        return r;
    }
}
