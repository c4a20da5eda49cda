using System.Text.RegularExpressions;

namespace MatteKit.CommandLine;

/// <summary>
/// The one table from the library's parameter names (the properties of its options records, as its error messages
/// name them) to the flags that set them, and the rewrite of a message into the command line's words. The library
/// names no flag; the command line shows no property name.
/// </summary>
public static partial class ParameterFlags
{
    private static readonly Dictionary<string, string> Flags = new(StringComparer.Ordinal)
    {
        // MattingSettings
        ["Model"] = "--model", ["Weights"] = "--weights", ["Refiner"] = "--refiner", ["DownsampleRatio"] = "--downsample-ratio",
        ["Threads"] = "--threads", ["MaskSmoothing"] = "--mask-smoothing", ["MaskEdge"] = "--mask-edge", ["MaxPixels"] = "--max-pixels",
        ["AlphaChoke"] = "--alpha-choke", ["AlphaFeather"] = "--alpha-feather", ["AlphaLevelLow"] = "--alpha-levels", ["AlphaLevelHigh"] = "--alpha-levels", ["EstimateForeground"] = "--foreground", ["Int8"] = "--precision",
        // ConvertOptions
        ["Input"] = "INPUT", ["OutputAlpha"] = "--output-alpha", ["OutputForeground"] = "--output-foreground",
        ["OutputComposition"] = "--output-composition", ["OutputSegmentation"] = "--output-segmentation",
        ["SegmentationThreshold"] = "--segmentation-threshold", ["Background"] = "--background", ["OutputVideoMbps"] = "--output-video-mbps",
        ["Crf"] = "--crf", ["H264Preset"] = "--x264-preset", ["InputResize"] = "--input-resize", ["SeqChunk"] = "--seq-chunk",
        ["ReadTimeout"] = "--read-timeout", ["StartSeconds"] = "--start", ["DurationSeconds"] = "--duration", ["Frames"] = "--frames",
        ["Warmup"] = "--warmup", ["WarmupOrder"] = "--warmup-order", ["NoAudio"] = "--no-audio", ["Priming"] = "--priming", ["Subject"] = "--subject", ["SubjectMask"] = "--subject-mask", ["SubjectFrame"] = "--subject-frame", ["SubjectTime"] = "--subject-time",
        ["Plate"] = "--background-plate", ["OutputType"] = "--output-type", ["BitDepth"] = "--bit-depth", ["PremultiplyAlpha"] = "--alpha-mode",
        // PlateMode and PlateMatterOptions
        ["OutputError"] = "--output-error", ["OutputRefined"] = "--output-refined", ["RefineSamplePixels"] = "--refine-sample-pixels",
        ["RefineThreshold"] = "--refine-threshold", ["BackboneScale"] = "--backbone-scale", ["ResizePlate"] = "--plate-resize", ["RefineMode"] = "--refine-mode",
        // Plans and chunks
        ["ChunkFrames"] = "--chunk-frames", ["Index"] = "--index", ["Workers"] = "--workers", ["PlanPath"] = "--out",
        // LiveMatterOptions, LiveSessionOptions
        ["MaxLatency"] = "--max-latency-ms", ["Outputs"] = "--output", ["OutputV4l2"] = "--output-v4l2", ["HasViewer"] = "--preview",
        ["Loop"] = "--loop", ["Realtime"] = "--realtime", ["InputFps"] = "--input-fps", ["InputSize"] = "--input-size",
        ["Duration"] = "--duration", ["StatsFile"] = "--stats", ["Mbps"] = "--output-video-mbps",
        // DatasetOptions
        ["Output"] = "--out", ["Foregrounds"] = "--foregrounds", ["Backgrounds"] = "--backgrounds",
    };

    /// <summary>The flag that sets <paramref name="parameter"/>; null when none does.</summary>
    public static string? For(string parameter) => Flags.GetValueOrDefault(parameter);

    /// <summary>
    /// The error's message with each parameter name the table knows replaced by its flag, and .NET's
    /// "(Parameter 'X')" suffix dropped. A name inside a path or a quoted value (<c>/clips/Input/a.mp4</c>,
    /// <c>'Weights'</c>) is left alone. An error about the options (<see cref="ArgumentException"/>, or a file's error
    /// caused by one, as a plan's field out of bounds) has every name rewritten. A file's own problem (which may quote
    /// ffmpeg's words) has its file name left as it is and, after it, the compound names (<c>ReadTimeout</c>, not
    /// <c>Input</c>) and those it says it names (<see cref="MediaFormatException.Parameters"/>).
    /// </summary>
    public static string Say(Exception error)
    {
        if (error is MediaFormatException file)
        {
            bool causedByOptions = file.InnerException is ArgumentException;
            return $"{file.File}: {Rewrite(file.Problem, name => causedByOptions || file.Parameters.Contains(name) || name.Skip(1).Any(char.IsUpper))}";
        }
        if (error is ArgumentException options) return Rewrite(ArgumentProblem.Of(options), _ => true);
        return Rewrite(error.Message, name => name.Skip(1).Any(char.IsUpper));
    }

    private static string Rewrite(string text, Func<string, bool> mapped)
        => Name().Replace(text, m => Flags.TryGetValue(m.Value, out var flag) && mapped(m.Value) ? flag : m.Value);

    /// <summary>A line the library reports (a live session's end), in the command line's words.</summary>
    public static string Say(string line) => Rewrite(line, _ => true);

    // A PascalCase word not part of a path, a file name, a quoted value or a longer word.
    [GeneratedRegex(@"(?<![\w/\\.'""-])[A-Z][A-Za-z0-9]*(?![\w/\\'""-]|\.\w)")]
    private static partial Regex Name();
}
