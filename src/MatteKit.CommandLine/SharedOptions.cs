using System.CommandLine;
using MatteKit.Conversion;

namespace MatteKit.CommandLine;

/// <summary>
/// The options more than one command takes (<c>convert</c>, <c>plan</c>, <c>live</c>, <c>train</c>), each declared
/// here once with one help text, and the one reader that turns them into the library's <see cref="MattingSettings"/>.
/// Whether the values make sense is <see cref="MattingSettings.Validate"/>'s to say.
/// </summary>
public static class SharedOptions
{
    public static readonly Option<double?> DownsampleRatio = OptionValues.Ratio("--downsample-ratio",
        "network resolution as a fraction of the frame, in (0, 1]; 1 = full resolution, no refiner. auto (default): convert keeps the " +
        $"network's longer side about 512 px; live at most {Live.LiveMatterOptions.AutoNetworkSide} px, lowered to fit the frame interval on this " +
        "CPU (at half the frame's size when even 128 px does not)");

    public static readonly Option<Background> Background = OptionValues.Parsed("--background",
        "green (default, 120,255,155), black, white, #RRGGBB, blur[:SIGMA] (the input itself blurred, SIGMA in pixels, default 16), " +
        "an image (scaled to cover, centre-cropped), a video (looped or cut to the input's length), or transparent (.webm VP9 " +
        "with alpha, .mov ProRes 4444, .gif, RGBA PNGs)", "BG",
        // A colour or a file: its text takes the rule of a path that is read (padded only when a file of that name is
        // there), as INPUT does; "nope.png " and "green " were "not green, black, ...", exit 1, naming no option.
        text => OptionValues.PathTextProblem("--background", text, "give --background <BG>", PathUse.Read) is { } problem
            ? throw new UsageException(problem)
            : Conversion.Background.Parse(text),
        () => Conversion.Background.Green);

    public static readonly Option<int?> Threads = OptionValues.WholeNumber("--threads",
        "inference threads (libtorch threads for train), 1 to the cores present (default: one per core)", 1);

    public static readonly Option<string?> Weights = OptionValues.Path("--weights",
        "RVM: TF.js model.json (or its folder), PyTorch .pth (MobileNetV3 or ResNet50, fast or deep guided filter), or an RVM .onnx run " +
        "as it is (official exports, float32 or float16, or one from export-onnx; not for train); selfie models: a .tflite of the same " +
        "kind; background-plate mode: BackgroundMattingV2's official .pth; default: the embedded model. Official ONNX exports always " +
        "resize and run their refiner, even at --downsample-ratio 1, so their output differs there from the others", use: PathUse.Read);

    public static readonly Option<RvmRefiner?> Refiner = OptionValues.Choice("--refiner",
        "refiner for ratios below 1; default: deep when the weights have it", "fast|deep",
        new Dictionary<string, RvmRefiner> { ["fast"] = RvmRefiner.FastGuidedFilter, ["deep"] = RvmRefiner.DeepGuidedFilter });

    public static readonly Option<MatteModel?> Model = OptionValues.Choice("--model",
        "rvm (default): Robust Video Matting, a real matte; selfie or selfie-landscape: MediaPipe's selfie segmentation (256x256 or " +
        "256x144), a refined mask, several times faster; --weights may then name a .tflite of the same kind", "MODEL",
        new Dictionary<string, MatteModel> { ["rvm"] = MatteModel.Rvm, ["selfie"] = MatteModel.Selfie, ["selfie-landscape"] = MatteModel.SelfieLandscape });

    public static readonly Option<double?> MaskSmoothing = OptionValues.Number("--mask-smoothing",
        $"selfie models: share of the previous frame's mask in each frame's, 0 (default) to {SelfieOptions.MaxSmoothing}; less flicker, some lag");

    public static readonly Option<SelfieEdge?> MaskEdge = OptionValues.Choice("--mask-edge",
        "selfie models: guided (default; the edge follows the picture) or bilinear (the network's mask enlarged)", "EDGE",
        new Dictionary<string, SelfieEdge> { ["guided"] = SelfieEdge.GuidedFilter, ["bilinear"] = SelfieEdge.Bilinear });

    public static readonly Option<double?> AlphaChoke = OptionValues.Number("--alpha-choke",
        $"shrink the matte by this many whole pixels (negative: grow it), grey-level so soft edges stay soft; -{Compositing.AlphaEdges.MaxPixels} to {Compositing.AlphaEdges.MaxPixels}",
        -Compositing.AlphaEdges.MaxPixels, Compositing.AlphaEdges.MaxPixels);

    public static readonly Option<double?> AlphaFeather = OptionValues.Number("--alpha-feather",
        $"soften the matte's edge by a Gaussian of this sigma in pixels, 0 to {Compositing.AlphaEdges.MaxPixels}", 0, Compositing.AlphaEdges.MaxPixels);

    public static readonly Option<(double Low, double High)?> AlphaLevels = OptionValues.Parsed<(double Low, double High)?>("--alpha-levels",
        "alpha at or below LOW becomes 0, at or above HIGH becomes 1, linear between (0 <= LOW < HIGH <= 1; 0.05:1 removes faint haze)", "LOW:HIGH",
        text => ParseLevels(text, "--alpha-levels"));

    /// <summary>LOW:HIGH, two finite numbers (their bounds are the library's to check): the flag's, and the live page's <c>alpha_levels</c>.</summary>
    /// <exception cref="UsageException">Not two numbers; the message names <paramref name="name"/>.</exception>
    public static (double Low, double High) ParseLevels(string text, string name)
        => text.Split(':') is [var low, var high]
           && double.TryParse(low, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double l)
           && double.TryParse(high, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double h)
           && double.IsFinite(l) && double.IsFinite(h)
            ? (l, h) : throw new UsageException($"{name} must be LOW:HIGH, two numbers from 0 to 1, got '{text}'");

    public static readonly Option<PrecisionChoice?> Precision = OptionValues.Choice("--precision",
        "RVM: fp32, or int8: the encoder and LR-ASPP quantized with ranges shipped with the embedded model (the embedded " +
        "model only; 1.08-1.15x the speed on a 2-core AVX-512 VNNI machine, alpha within 0.006-0.06 of fp32's on average, docs/performance.md). " +
        "Default fp32; in live int8 on the embedded model when live chooses the network's size, since it buys a larger network (docs/live.md)",
        "PRECISION", new Dictionary<string, PrecisionChoice> { ["fp32"] = PrecisionChoice.Fp32, ["int8"] = PrecisionChoice.Int8 });

    public static readonly Option<ForegroundChoice?> Foreground = OptionValues.Choice("--foreground",
        "network (default): the network's foreground colour; estimate: re-estimated from the frame and the final alpha, " +
        "which takes the old background's colour out of soft edges (foreground output and composition)", "SOURCE",
        new Dictionary<string, ForegroundChoice> { ["network"] = ForegroundChoice.Network, ["estimate"] = ForegroundChoice.Estimate });

    public static readonly Option<long?> MaxPixels = OptionValues.LongNumber("--max-pixels",
        $"largest frame accepted (input, resize, background), checked against each file's header before decoding; default " +
        $"{ConvertLimits.DefaultMaxPixels} (above 8K DCI)", 1);

    public static readonly Option<double?> ReadTimeout = OptionValues.PositiveNumber("--read-timeout",
        $"give up on an input that sends nothing this long (default {ConvertLimits.DefaultReadTimeout.TotalSeconds:0} for convert, " +
        $"{Live.LiveSessionOptions.DefaultReadTimeout.TotalSeconds:0} for live)", "SECONDS");

    public static readonly Option<int?> Crf = OptionValues.WholeNumber("--crf",
        $"constant quality of video outputs, 0 to {ConvertLimits.MaxCrf} (default: H.264 18 for convert, 23 for live; VP9 30)", 0);

    public static readonly Option<double?> Mbps = OptionValues.PositiveNumber("--output-video-mbps",
        "video bit rate in Mbit/s instead (fractions allowed)");

    public static readonly Option<SubjectChoice?> Subject = OptionValues.Parsed<SubjectChoice?>("--subject",
        "keep one person only, found by MoveNet MultiPose and followed frame to frame: largest, center or N (the detector's N-th " +
        "person, 0 = best score) in the first frame where anyone is seen, or X,Y (pixels of the first frame, or of --subject-frame's, where someone must stand); " +
        "alpha is 0 elsewhere", "WHO", SubjectChoice.Parse);

    public static readonly Option<string?> SubjectMask = OptionValues.Path("--subject-mask",
        "keep the person this mask of the first frame (or of --subject-frame's) marks (a greyscale PNG of the frame's size, above 127 on the person), " +
        "followed as with --subject", "FILE.png", PathUse.Read);

    public static readonly Option<int?> SubjectFrame = OptionValues.WholeNumber("--subject-frame",
        "read --subject or --subject-mask in this frame (counted from 0) instead of the first; in a file the person is also kept " +
        "in the frames before it, from the first one they are followed in (a stream keeps them from this frame on)", 0);

    public static readonly Option<double?> SubjectTime = OptionValues.Seconds("--subject-time",
        "read --subject or --subject-mask in the frame shown this many seconds after the first converted (found from the input's " +
        "frame rate) instead of the first; as --subject-frame otherwise");

    /// <summary>The person to keep, from <c>--subject</c> or <c>--subject-mask</c> (read now); null = everyone.</summary>
    /// <param name="parse">The command line.</param>
    /// <param name="withTime">Whether the command has <see cref="SubjectTime"/> (convert and plan, not live, which counts the frames it mattes).</param>
    /// <exception cref="MediaFormatException">The mask file cannot be read.</exception>
    public static SubjectChoice? ReadSubject(ParseResult parse, bool withTime)
    {
        var choice = ReadChoice(parse);
        var frame = parse.GetValue(SubjectFrame);
        var seconds = withTime ? parse.GetValue(SubjectTime) : null;
        if (frame is null && seconds is null) return choice;
        string flag = frame is not null ? "--subject-frame" : "--subject-time";
        if (choice is null) throw new UsageException($"{flag} needs --subject or --subject-mask");
        if (frame is not null && seconds is not null) throw new UsageException("give either --subject-frame or --subject-time, not both");
        return frame is { } f ? choice.InFrame(f) : choice.AtTime(seconds!.Value);
    }

    private static SubjectChoice? ReadChoice(ParseResult parse)
    {
        var mask = parse.GetValue(SubjectMask);
        if (mask is null) return parse.GetValue(Subject);
        // An empty one is refused by the option itself (OptionValues.Path), naming it.
        if (parse.GetValue(Subject) is not null) throw new UsageException("give either --subject or --subject-mask, not both");
        try
        {
            return SubjectChoice.FromMask(mask, parse.GetValue(MaxPixels) ?? Conversion.ConvertLimits.DefaultMaxPixels);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(ParameterFlags.Say(e));
        }
    }

    public static readonly Option<bool> Quiet = OptionValues.Flag("--quiet", "no progress, stats lines or summary");

    /// <summary>The options that make up <see cref="MattingSettings"/>, for a command that mattes.</summary>
    public static IEnumerable<Option> Matting => new Option[] { Model, Weights, Refiner, DownsampleRatio, Threads, MaskSmoothing, MaskEdge, AlphaChoke, AlphaFeather, AlphaLevels, Foreground, Precision, MaxPixels };

    /// <summary>The matting settings as given (defaults for what was not); unchecked.</summary>
    public static MattingSettings ReadMatting(ParseResult parse) => new()
    {
        Model = parse.GetValue(Model) ?? MatteModel.Rvm,
        Weights = parse.GetValue(Weights),
        Refiner = parse.GetValue(Refiner),
        Int8 = parse.GetValue(Precision) == PrecisionChoice.Int8,
        DownsampleRatio = parse.RatioOrAuto(DownsampleRatio),
        Threads = parse.GetValue(Threads) ?? 0,
        MaskSmoothing = (float)(parse.GetValue(MaskSmoothing) ?? 0),
        MaskEdge = parse.GetValue(MaskEdge) ?? SelfieEdge.GuidedFilter,
        MaxPixels = parse.GetValue(MaxPixels) ?? ConvertLimits.DefaultMaxPixels,
        AlphaChoke = (float)(parse.GetValue(AlphaChoke) ?? 0),
        AlphaFeather = (float)(parse.GetValue(AlphaFeather) ?? 0),
        AlphaLevelLow = (float)(parse.GetValue(AlphaLevels)?.Low ?? 0),
        AlphaLevelHigh = (float)(parse.GetValue(AlphaLevels)?.High ?? 1),
        EstimateForeground = parse.GetValue(Foreground) == ForegroundChoice.Estimate,
    };

    /// <summary>
    /// The read timeout as given, or the command's default. The library's check (<c>ConvertLimits.CheckReadTimeout</c>)
    /// bounds it; a number beyond what a TimeSpan holds cannot reach that check as itself (it was clamped, and 1e15
    /// was refused as "got 461168601842.7388 s"), so it is refused here, with the same bound and the number given.
    /// </summary>
    /// <exception cref="UsageException">A number of seconds no TimeSpan holds.</exception>
    public static TimeSpan ReadReadTimeout(ParseResult parse, TimeSpan fallback)
    {
        if (parse.GetValue(ReadTimeout) is not { } seconds) return fallback;
        if (seconds >= TimeSpan.MaxValue.TotalSeconds / 2)
            throw new UsageException($"--read-timeout must be positive and at most {ConvertLimits.MaxReadTimeout.TotalSeconds:0} s, " +
                                     $"got {seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)} s");
        return TimeSpan.FromSeconds(seconds);
    }
}
