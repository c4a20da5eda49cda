using System.CommandLine;
using MatteKit.Conversion;

namespace MatteKit.Cli;

/// <summary>Background-plate mode's options of <c>mattekit convert</c> (BackgroundMattingV2; needs its official weights).</summary>
internal static class PlateModeFlags
{
    private static readonly Option<string?> Plate = OptionValues.Path("--background-plate",
        "background-plate mode (BackgroundMattingV2, needs its official weights, e.g. pytorch_mobilenetv2.pth): image of the same " +
        "shot without the person; auto = temporal median of the input frames (still camera, people moving; refused otherwise)", "PLATE|auto", PathUse.Read);
    private static readonly Option<bool> Resize = OptionValues.Flag("--plate-resize", "scale a plate of another size to the frame size (else an error)");
    private static readonly Option<RefineMode?> Mode = OptionValues.Choice("--refine-mode", "sampling (default), thresholding or full", "MODE",
        new Dictionary<string, RefineMode> { ["sampling"] = RefineMode.Sampling, ["thresholding"] = RefineMode.Thresholding, ["full"] = RefineMode.Full });
    private static readonly Option<int?> SamplePixels = OptionValues.WholeNumber("--refine-sample-pixels",
        "sampling: pixels refined per frame, at least 16 (default 80000 = 5000 4x4 patches)", 0);
    private static readonly Option<double?> Threshold = OptionValues.Number("--refine-threshold",
        "thresholding: refine patches whose error exceeds T, in [0, 1) (default 0.1)");
    private static readonly Option<double?> BackboneScale = OptionValues.Number("--backbone-scale",
        "base network scale in (0, 1]; default 0.25, or 0.125 above 2560 px (4K)");
    private static readonly Option<string?> OutputError = OptionValues.OutputPath("--output-error", "the base network's error map (8-bit grey, frame size)");
    private static readonly Option<string?> OutputRefined = OptionValues.OutputPath("--output-refined", "which 4x4 patches were refined (255) (8-bit grey, frame size)");

    private static readonly Option[] Dependent = { Resize, Mode, SamplePixels, Threshold, BackboneScale, OutputError, OutputRefined };

    public static void AddTo(Command command)
    {
        command.Add(Plate);
        foreach (var option in Dependent) command.Add(option);
    }

    public static bool Requested(ParseResult parse) => parse.GetValue(Plate) is not null;

    /// <summary>The plate mode, or null without <c>--background-plate</c> (then none of its options may be given).</summary>
    public static PlateMode? Read(ParseResult parse)
    {
        var plate = parse.GetValue(Plate);
        if (plate is null)
        {
            var stray = Dependent.FirstOrDefault(parse.Given);
            if (stray is not null) throw new UsageException($"{stray.Name} needs --background-plate");
            return null;
        }
        var mode = parse.GetValue(Mode) ?? RefineMode.Sampling;
        if (parse.Given(SamplePixels) && mode != RefineMode.Sampling) throw new UsageException("--refine-sample-pixels applies to --refine-mode sampling");
        if (parse.Given(Threshold) && mode != RefineMode.Thresholding) throw new UsageException("--refine-threshold applies to --refine-mode thresholding");
        var defaults = new PlateMatterOptions();
        return new PlateMode
        {
            Plate = plate,
            ResizePlate = parse.GetValue(Resize),
            Refinement = new PlateMatterOptions
            {
                RefineMode = mode,
                RefineSamplePixels = parse.GetValue(SamplePixels) ?? defaults.RefineSamplePixels,
                RefineThreshold = parse.GetValue(Threshold) is { } t ? (float)t : defaults.RefineThreshold,
                BackboneScale = parse.GetValue(BackboneScale),
            },
            OutputError = parse.GetValue(OutputError),
            OutputRefined = parse.GetValue(OutputRefined),
        };
    }
}
