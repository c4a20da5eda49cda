using System.CommandLine;
using MatteKit.Conversion;
using MatteKit.Media.Ffmpeg;

namespace MatteKit.Cli;

/// <summary>
/// <c>mattekit convert</c>: each option declared once (name, help, type); <see cref="ConvertOptions.Validate"/> checks
/// the values, and its errors are usage errors (exit 2).
/// </summary>
internal static class ConvertCommand
{
    private static readonly Argument<string?> Input = OptionValues.PathArgument<string?>("INPUT",
        "a video file (anything ffmpeg decodes), a folder of images (one clip, natural order), one image, " +
        "or - (stdin), a URL or a device ffmpeg opens", "give a file, a folder, - (stdin) or a URL", ArgumentArity.ZeroOrOne, PathUse.Read);

    private static readonly Option<string?> InputSource = OptionValues.Path("--input-source", "INPUT given as an option", "INPUT", PathUse.Read);
    private static readonly Option<string?> OutputComposition = OptionValues.OutputPath("--output-composition", "foreground over --background");
    private static readonly Option<string?> OutputAlpha = OptionValues.OutputPath("--output-alpha", "alpha matte (grey)");
    private static readonly Option<string?> OutputForeground = OptionValues.OutputPath("--output-foreground", "foreground colour");
    private static readonly Option<string?> OutputSegmentation = OptionValues.OutputPath("--output-segmentation",
        "the segmentation pass (grey): person probability, or a 0/255 mask with --segmentation-threshold; needs weights with " +
        "the segmentation head (official .pth files; not the TF.js model nor ONNX files). Every PATH: .mp4/.m4v/.mkv (H.264), " +
        ".webm (VP9), .mov (ProRes), .gif, a folder for PNG frames, or a .png for a single image input");
    private static readonly Option<double?> SegmentationThreshold = OptionValues.Number("--segmentation-threshold",
        "binary mask: 255 where the probability is >= T (0..1)");
    private static readonly Option<OutputType?> Type = OptionValues.Choice("--output-type",
        "video, png_sequence, or exr_sequence (folders of OpenEXR frames: half float, linear-light colour, alpha in A, premultiplied; " +
        "the alpha output as one channel, Y) (default: from each PATH's extension)", "TYPE",
        new Dictionary<string, OutputType> { ["video"] = OutputType.Video, ["png_sequence"] = OutputType.PngSequence, ["exr_sequence"] = OutputType.ExrSequence });
    private static readonly Option<int?> BitDepth = OptionValues.Choice("--bit-depth",
        "8 (default) or 16: 16-bit PNGs, or ProRes 4444 (.mov) at 10 bits with a 16-bit alpha plane (ffmpeg's encoder takes 10-bit samples), from the network's unrounded results; " +
        "H.264, VP9 and GIF hold 8 bits", "BITS", new Dictionary<string, int> { ["8"] = 8, ["16"] = 16 });
    private static readonly Option<AlphaModeChoice?> AlphaModeOption = OptionValues.Choice("--alpha-mode",
        "straight or premultiplied colour in outputs with alpha (a composition over --background transparent, an EXR foreground); " +
        "default: each format's convention (EXR premultiplied, PNG and video straight)", "MODE",
        new Dictionary<string, AlphaModeChoice> { ["straight"] = AlphaModeChoice.Straight, ["premultiplied"] = AlphaModeChoice.Premultiplied });
    private static readonly Option<string?> Preset = OptionValues.Parsed<string?>("--x264-preset",
        $"H.264 encoder speed: {string.Join(", ", VideoContainer.H264Presets)} (default veryfast); faster leaves more CPU to " +
        "matting, slower makes smaller files at the same --crf", "NAME",
        text => VideoContainer.H264Presets.Contains(text.ToLowerInvariant()) ? text.ToLowerInvariant()
            : throw new UsageException($"--x264-preset must be one of {string.Join(", ", VideoContainer.H264Presets)}, got '{text}'"),
        null, VideoContainer.H264Presets.ToArray());
    private static readonly Option<(int Width, int Height)?> InputResize = OptionValues.Size("--input-resize", "scale input frames to WxH first");
    private static readonly Option<int?> SeqChunk = OptionValues.WholeNumber("--seq-chunk",
        $"frames per network call, 1 to {ConvertLimits.MaxSeqChunk} (default 1), as the official converter's seq_chunk: the " +
        "ConvGRUs step through them in order, so results are the same; on CPU chunks of 4 measured about 1.1x slower (see docs/performance.md). " +
        "Segmentation and plate mode still run one frame per call", 1);
    private static readonly Option<double?> Start = OptionValues.Seconds("--start", "start this far into the input");
    private static readonly Option<double?> Duration = OptionValues.PositiveNumber("--duration", "convert only this much of the input", "SECONDS");
    private static readonly Option<FrameRange?> Frames = OptionValues.Parsed<FrameRange?>("--frames",
        "convert exactly frames A to B-1 by index, whatever the keyframes (a chunk of a longer run)", "A:B",
        text => FrameRange.TryParse(text, out var range) ? range : throw new UsageException($"--frames must be A:B with 0 <= A < B, got '{text}'"));
    private static readonly Option<int?> Warmup = OptionValues.WholeNumber("--warmup",
        $"prime the recurrent state with this many frames first, their outputs discarded (0 to {ConvertLimits.MaxWarmup}; default 0 for convert --frames, {PlanCommand.DefaultWarmup} for plan and --workers)", 0);
    private static readonly Option<WarmupOrder?> WarmupOrderOption = OptionValues.Choice("--warmup-order",
        "forward (default): the frames before the first; reverse: the frames after it, last to first", "ORDER",
        new Dictionary<string, WarmupOrder> { ["forward"] = WarmupOrder.Forward, ["reverse"] = WarmupOrder.Reverse });
    private static readonly Option<int?> Priming = OptionValues.WholeNumber("--priming",
        $"RVM: prime the recurrent state on the input's first N frames, run backwards and discarded, before frame 0 (files and folders; " +
        $"0 to {ConvertLimits.MaxWarmup}, default {ConvertLimits.DefaultPriming}; 0 starts from a zero state as the official converter does)", 0);
    private static readonly Option<bool> NoAudio = OptionValues.Flag("--no-audio",
        "leave the input's audio out (kept by default: copied when the container allows, re-encoded otherwise)");

    public static Command Build(CancellationToken cancel)
    {
        var command = new Command("convert", "Matte a video, a stream, a folder of frames or an image; with --background-plate, " +
                                             "background-plate mode (BackgroundMattingV2)");
        AddOptions(command);
        command.Add(Workers);
        command.Add(ChunkFrames);
        PlateModeFlags.AddTo(command);
        command.SetAction(parse => Run(parse, cancel));
        return command;
    }

    private static readonly Option<int?> Workers = OptionValues.WholeNumber("--workers",
        "convert in chunks with this many local processes (a plan beside the first output; a rerun finishes only the missing chunks)", 1);

    /// <summary>The chunk length of a plan (<c>mattekit plan</c>, <c>convert --workers</c>).</summary>
    internal static readonly Option<int?> ChunkFrames = OptionValues.WholeNumber("--chunk-frames", "frames per chunk of a plan", 1);

    /// <summary>The options that say what a conversion reads, writes and how: convert's, and a plan's.</summary>
    internal static void AddOptions(Command command)
    {
        foreach (var option in new Option[]
                 {
                     InputSource, OutputComposition, OutputAlpha, OutputForeground, OutputSegmentation, SegmentationThreshold, Type, BitDepth, AlphaModeOption,
                     SharedOptions.Mbps, SharedOptions.Crf, Preset, SharedOptions.Background, InputResize, SeqChunk, Start, Duration, Frames, Warmup,
                     WarmupOrderOption, Priming, NoAudio, SharedOptions.Subject, SharedOptions.SubjectMask, SharedOptions.SubjectFrame, SharedOptions.SubjectTime,
                 }.Concat(SharedOptions.Matting).Append(SharedOptions.ReadTimeout).Append(SharedOptions.Quiet))
            command.Add(option);
        command.Add(Input);
    }

    /// <summary>Whether <c>--warmup</c> was given (a plan has its own default).</summary>
    internal static int? GivenWarmup(ParseResult parse) => parse.GetValue(Warmup);

    internal static bool IsQuiet(ParseResult parse) => parse.GetValue(SharedOptions.Quiet);

    private static int Run(ParseResult parse, CancellationToken cancel)
    {
        var options = ReadOptions(parse);
        ReplaceableOutputs.RequireEmptyFolders(PathCollisions.Outputs(options));
        if (parse.GetValue(Workers) is { } workers && workers > 1)
            return LocalWorkers.Run(options, workers, parse.GetValue(ChunkFrames), parse.GetValue(Warmup) ?? PlanCommand.DefaultWarmup, parse.GetValue(SharedOptions.Quiet), cancel);
        if (parse.GetValue(ChunkFrames) is not null) throw new UsageException("--chunk-frames is for --workers (or mattekit plan)");
        return Convert(options, parse.GetValue(SharedOptions.Quiet), cancel);
    }

    /// <summary>The options as given, checked (a usage error, exit 2, when they do not make sense).</summary>
    internal static ConvertOptions ReadOptions(ParseResult parse)
    {
        var input = parse.GetValue(InputSource);
        var positional = parse.GetValue(Input);
        if (input is not null && positional is not null) throw new UsageException("give INPUT either as an argument or as --input-source, not both");
        // An empty one (an unset "$CLIP") is refused by the argument itself (OptionValues.PathArgument), naming it.
        input ??= positional ?? throw new UsageException("no INPUT given (see mattekit convert --help)");

        var options = new ConvertOptions
        {
            Input = input,
            OutputAlpha = parse.GetValue(OutputAlpha),
            OutputForeground = parse.GetValue(OutputForeground),
            OutputComposition = parse.GetValue(OutputComposition),
            OutputSegmentation = parse.GetValue(OutputSegmentation),
            SegmentationThreshold = (float?)parse.GetValue(SegmentationThreshold),
            OutputType = parse.GetValue(Type) ?? OutputType.Auto,
            BitDepth = parse.GetValue(BitDepth) ?? 8,
            PremultiplyAlpha = parse.GetValue(AlphaModeOption) is { } mode ? mode == AlphaModeChoice.Premultiplied : null,
            OutputVideoMbps = parse.GetValue(SharedOptions.Mbps),
            Crf = parse.GetValue(SharedOptions.Crf),
            H264Preset = parse.GetValue(Preset),
            Background = parse.GetRequiredValue(SharedOptions.Background),
            Matting = SharedOptions.ReadMatting(parse),
            InputResize = parse.GetValue(InputResize),
            SeqChunk = parse.GetValue(SeqChunk) ?? 1,
            StartSeconds = parse.GetValue(Start),
            DurationSeconds = parse.GetValue(Duration),
            Frames = parse.GetValue(Frames),
            Warmup = parse.GetValue(Warmup) ?? 0,
            WarmupOrder = parse.GetValue(WarmupOrderOption) ?? WarmupOrder.Forward,
            NoAudio = parse.GetValue(NoAudio),
            Priming = parse.GetValue(Priming) ?? ConvertLimits.DefaultPriming,
            Subject = SharedOptions.ReadSubject(parse, withTime: true),
            Plate = PlateModeFlags.Read(parse),
            ReadTimeout = SharedOptions.ReadReadTimeout(parse, ConvertLimits.DefaultReadTimeout),
        };
        // Every check of the options, their bounds and their paths is the library's; here it is a usage error (exit 2).
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new UsageException(ParameterFlags.Say(e));
        }
        // A link or a FIFO where an output file goes, or a name ending in a separator for one (o.png/, o.mp4/): refused
        // now, as every command does; a folder is a frame folder's to replace.
        // shots.png/ of a video was a folder of frames so named before the kind was read without the slash: say how to get one.
        ReplaceableOutputs.Require(PathCollisions.Outputs(options), foldersTaken: path => !OutputTarget.IsOneFile(path, options.OutputType),
            folderHint: options.OutputType == OutputType.Auto ? "for a folder of frames so named, give --output-type png_sequence" : null);
        // The default primes where it can and says nothing elsewhere; a number the user gave that would do nothing is said.
        if (parse.GetValue(Priming) is > 0 && options.PrimingFrames == 0)
            throw new UsageException("--priming primes RVM on a file or a folder of images; " +
                                     (options.Plate is not null ? "the background-plate mode has no recurrent state"
                                         : options.Matting.Model != MatteModel.Rvm ? "a selfie model has no recurrent state"
                                         : "a stream is read once") + " (give --priming 0 or leave it out)");
        return options;
    }

    private static int Convert(ConvertOptions options, bool quiet, CancellationToken cancel)
    {
        // With stdout redirected the summary is written before the outputs are renamed into place, so that a
        // failure to write it (a full disk) leaves no outputs behind a non-zero exit code. On a terminal it
        // follows the live progress bar, which owns the screen until then.
        bool summaryFirst = !quiet && Console.IsOutputRedirected;
        Action<ConvertSummary>? beforeCommit = summaryFirst ? summary => PrintSummary(options, summary) : null;
        ConvertSummary result;
        try
        {
            if (quiet) result = Converter.Run(options, null, cancel, null);
            else if (LiveProgressBar.CanShow) result = LiveProgressBar.Run(p => Converter.Run(options, p, cancel, beforeCommit));
            else result = Converter.Run(options, new PlainProgress(), cancel, beforeCommit);
        }
        catch (MatteKit.Subjects.SubjectChoiceException e)
        {
            // Only the first frame can tell that --subject asks for someone who is not there: still a usage error.
            throw new UsageException(ParameterFlags.Say(e));
        }
        if (!quiet && !summaryFirst) PrintSummary(options, result);
        return 0;
    }

    private static void PrintSummary(ConvertOptions options, ConvertSummary summary)
    {
        var ratioText = options.Matting.DownsampleRatio is null ? $"auto -> {summary.DownsampleRatio:0.####}" : $"{summary.DownsampleRatio:0.####}";
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
}
