using System.Globalization;
using MatteKit.Conversion;

namespace MatteKit.Chunking;

/// <summary>
/// The conversion options a plan carries to its workers, as plain JSON values: everything that decides how a frame
/// is matted and encoded, so that every chunk is converted alike (and video segments can be joined by stream copy).
/// </summary>
internal sealed record PlannedOptions
{
    public string Background { get; init; } = "green";
    public string? Refiner { get; init; }
    public double? DownsampleRatio { get; init; }
    public string? InputResize { get; init; }
    public int SeqChunk { get; init; } = 1;
    public string? Weights { get; init; }
    public int Threads { get; init; }
    public double? OutputVideoMbps { get; init; }
    public int? Crf { get; init; }
    public string? H264Preset { get; init; }
    public float? SegmentationThreshold { get; init; }
    public long MaxPixels { get; init; } = ConvertLimits.DefaultMaxPixels;
    public double ReadTimeoutSeconds { get; init; } = ConvertLimits.DefaultReadTimeout.TotalSeconds;
    public bool NoAudio { get; init; }
    public string Model { get; init; } = nameof(MatteModel.Rvm);
    public float MaskSmoothing { get; init; }
    public string MaskEdge { get; init; } = nameof(SelfieEdge.GuidedFilter);

    public static PlannedOptions From(ConvertOptions o) => o.Subject is not null
        ? throw new ArgumentException("--subject follows one person from the first frame on; a plan's chunks cannot know whom the earlier " +
            "chunks followed, so convert in one pass (without --workers or plan)")
        : new()
    {
        Background = o.Background,
        Refiner = o.Refiner?.ToString(),
        DownsampleRatio = o.DownsampleRatio,
        InputResize = o.InputResize is { } r ? $"{r.Width}x{r.Height}" : null,
        SeqChunk = o.SeqChunk,
        Weights = o.Weights is { } w ? System.IO.Path.GetFullPath(w) : null,
        Threads = o.Threads,
        OutputVideoMbps = o.OutputVideoMbps,
        Crf = o.Crf,
        H264Preset = o.H264Preset,
        SegmentationThreshold = o.SegmentationThreshold,
        MaxPixels = o.MaxPixels,
        ReadTimeoutSeconds = o.ReadTimeout.TotalSeconds,
        NoAudio = o.NoAudio,
        Model = o.Model.ToString(),
        MaskSmoothing = o.MaskSmoothing,
        MaskEdge = o.MaskEdge.ToString(),
    };

    /// <summary>The options for <paramref name="input"/> with no outputs yet (the caller adds them).</summary>
    /// <exception cref="MediaFormatException">A field that is not a value its option takes, named with the plan file.</exception>
    public ConvertOptions ToConvertOptions(string input, string planPath) => new()
    {
        Input = input,
        Background = Background ?? throw PlanCheck.Damaged(planPath, "options.background", "is missing"),
        Refiner = Refiner is null ? null : Name<RvmRefiner>(planPath, "refiner", Refiner),
        DownsampleRatio = DownsampleRatio,
        InputResize = InputResize is null ? null : Size(planPath, InputResize),
        SeqChunk = SeqChunk,
        Weights = Weights,
        Threads = Threads,
        OutputVideoMbps = OutputVideoMbps,
        Crf = Crf,
        H264Preset = H264Preset,
        SegmentationThreshold = SegmentationThreshold,
        MaxPixels = MaxPixels,
        ReadTimeout = double.IsFinite(ReadTimeoutSeconds) && ReadTimeoutSeconds is > 0 and <= 86_400 * 365
            ? TimeSpan.FromSeconds(ReadTimeoutSeconds) : throw PlanCheck.Damaged(planPath, "options.read_timeout_seconds", $"is {ReadTimeoutSeconds}, not a number of seconds"),
        NoAudio = NoAudio,
        Model = Name<MatteModel>(planPath, "model", Model),
        MaskSmoothing = MaskSmoothing,
        MaskEdge = Name<SelfieEdge>(planPath, "mask_edge", MaskEdge),
    };

    private static T Name<T>(string planPath, string field, string? text) where T : struct, Enum
        => Enum.GetNames<T>().Contains(text, StringComparer.Ordinal) ? Enum.Parse<T>(text!)
            : throw PlanCheck.Damaged(planPath, $"options.{field}", $"is {(text is null ? "missing" : $"'{text}'")}, not one of {string.Join(", ", Enum.GetNames<T>())}");

    private static (int Width, int Height) Size(string planPath, string text)
    {
        var parts = text.Split('x');
        return parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int width)
               && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int height) && width > 0 && height > 0
            ? (width, height)
            : throw PlanCheck.Damaged(planPath, "options.input_resize", $"is '{text}', not WxH (two positive whole numbers)");
    }
}
