using System.Globalization;
using MatteKit.Bgm;
using MatteKit.Conversion;

namespace MatteKit.Cli;

/// <summary>The background-plate options of <c>mattekit convert</c> (BackgroundMattingV2 mode).</summary>
internal static class PlateOptions
{
    public const string Help = """

        Background-plate mode (BackgroundMattingV2; needs its official weights, e.g. pytorch_mobilenetv2.pth):
        --background-plate PLATE|auto  image of the same shot without the person; auto = temporal median of the
                                   input frames (still camera, people moving; refused otherwise)
        --plate-resize             scale a plate of another size to the frame size (else an error)
        --refine-mode MODE         sampling (default), thresholding or full
        --refine-sample-pixels N   sampling: pixels refined per frame (default 80000 = 5000 4x4 patches)
        --refine-threshold T       thresholding: refine patches whose error exceeds T (default 0.1)
        --backbone-scale S         base network scale; default 0.25, or 0.125 above 2560 px (4K)
        --output-error PATH        the base network's error map (8-bit grey PNG, frame size)
        --output-refined PATH      which 4x4 patches were refined (255) (8-bit grey PNG, frame size)
        """;

    public static readonly string[] ValueOptions =
    {
        "--background-plate", "--refine-mode", "--refine-sample-pixels", "--refine-threshold", "--backbone-scale",
        "--output-error", "--output-refined",
    };

    public static readonly string[] Flags = { "--plate-resize" };

    /// <summary>The settings when <c>--background-plate</c> is given, else null (plate-only options are then an error).</summary>
    public static PlateSettings? Parse(CommandLine cl)
    {
        var plate = cl.Value("--background-plate");
        if (plate is null)
        {
            var stray = ValueOptions.Concat(Flags).FirstOrDefault(cl.Has);
            if (stray is not null) throw new UsageException($"{stray} needs --background-plate");
            return null;
        }
        if (cl.Has("--downsample-ratio")) throw new UsageException("--downsample-ratio is for the RVM mode; with --background-plate use --backbone-scale");
        var mode = cl.Value("--refine-mode")?.ToLowerInvariant() switch
        {
            null or "sampling" => RefineMode.Sampling,
            "thresholding" => RefineMode.Thresholding,
            "full" => RefineMode.Full,
            var other => throw new UsageException($"--refine-mode must be sampling, thresholding or full, got '{other}'"),
        };
        if (cl.Has("--refine-sample-pixels") && mode != RefineMode.Sampling) throw new UsageException("--refine-sample-pixels applies to --refine-mode sampling");
        if (cl.Has("--refine-threshold") && mode != RefineMode.Thresholding) throw new UsageException("--refine-threshold applies to --refine-mode thresholding");
        return new PlateSettings
        {
            Plate = plate,
            ResizePlate = cl.Has("--plate-resize"),
            RefineMode = mode,
            RefineSamplePixels = cl.Int("--refine-sample-pixels", 80_000, 16),
            RefineThreshold = (float)Number(cl, "--refine-threshold", 0.1, 0, 1, "a number in [0, 1)", upperOpen: true),
            BackboneScale = cl.Has("--backbone-scale") ? Number(cl, "--backbone-scale", 0.25, 0, 1, "a number in (0, 1]", lowerOpen: true) : null,
            OutputError = cl.Value("--output-error"),
            OutputRefined = cl.Value("--output-refined"),
        };
    }

    private static double Number(CommandLine cl, string name, double fallback, double min, double max, string what,
        bool lowerOpen = false, bool upperOpen = false)
    {
        var text = cl.Value(name);
        if (text is null) return fallback;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)
            || v < min || v > max || (lowerOpen && v == min) || (upperOpen && v == max))
            throw new UsageException($"{name} must be {what}, got '{text}'");
        return v;
    }
}
