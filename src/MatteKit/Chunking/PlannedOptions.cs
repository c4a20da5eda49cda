using System.Globalization;
using MatteKit.Conversion;
using MatteKit.Media;
using MatteKit.Rvm;

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
    public string MaskEdge { get; init; } = nameof(Selfie.SelfieEdge.GuidedFilter);

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

    /// <summary>
    /// The values that name a choice (model, mask edge, refiner, background) as this version spells them: a plan
    /// edited by hand gets one line naming the field and what it may be, not .NET's "Requested value was not found".
    /// </summary>
    /// <exception cref="MediaFormatException">A field holds no value or one this version does not know.</exception>
    public void Check(string planPath)
    {
        static void Named<T>(string planPath, string field, string? value, bool optional = false) where T : struct, Enum
        {
            if (value is null && optional) return;
            if (value is null || !Enum.GetNames<T>().Contains(value, StringComparer.Ordinal))
                throw new MediaFormatException(planPath, $"options.{field} is {(value is null ? "missing" : $"'{value}'")}; a plan names one of " +
                    string.Join(", ", Enum.GetNames<T>()) + " (make plans with mattekit plan)");
        }
        Named<MatteModel>(planPath, "model", Model);
        Named<Selfie.SelfieEdge>(planPath, "mask_edge", MaskEdge);
        Named<RvmRefiner>(planPath, "refiner", Refiner, optional: true);
        if (Background is null) throw new MediaFormatException(planPath, "options.background is missing (make plans with mattekit plan)");
    }

    /// <summary>The options for <paramref name="input"/> with no outputs yet (the caller adds them).</summary>
    public ConvertOptions ToConvertOptions(string input) => new()
    {
        Input = input,
        Background = Background,
        Refiner = Refiner is null ? null : Enum.Parse<RvmRefiner>(Refiner),
        DownsampleRatio = DownsampleRatio,
        InputResize = InputResize is { } r ? (int.Parse(r.Split('x')[0], CultureInfo.InvariantCulture), int.Parse(r.Split('x')[1], CultureInfo.InvariantCulture)) : null,
        SeqChunk = SeqChunk,
        Weights = Weights,
        Threads = Threads,
        OutputVideoMbps = OutputVideoMbps,
        Crf = Crf,
        H264Preset = H264Preset,
        SegmentationThreshold = SegmentationThreshold,
        MaxPixels = MaxPixels,
        ReadTimeout = TimeSpan.FromSeconds(ReadTimeoutSeconds),
        NoAudio = NoAudio,
        Model = Enum.Parse<MatteModel>(Model),
        MaskSmoothing = MaskSmoothing,
        MaskEdge = Enum.Parse<Selfie.SelfieEdge>(MaskEdge),
    };
}
