using System.CommandLine;
using MatteKit.Cli.Preview;
using MatteKit.Conversion;
using MatteKit.Live;

namespace MatteKit.Cli;

/// <summary>
/// <c>mattekit live</c>: a camera, a stream, a screen or a file at its own rate in, matted frames out in real time.
/// Each option declared once; <see cref="LiveSessionOptions.Validate"/> checks the values (usage errors, exit 2).
/// A signal ends the session cleanly: outputs finished and renamed, the stats written, exit 0.
/// </summary>
internal static class LiveCommand
{
    private static readonly Argument<string> Input = OptionValues.PathArgument<string>("INPUT",
        "/dev/videoN (a V4L2 camera), a stream URL (udp, rtp, srt, rtmp, rtsp, http), - (stdin), a screen or device " +
        "with --input-format (x11grab :0.0), or a file with --realtime", "give a device, a stream URL, - (stdin) or a file", use: PathUse.Read);

    private static readonly Option<string?> InputFormat = OptionValues.Path("--input-format", "ffmpeg demuxer for INPUT (x11grab, v4l2, mpegts, ...)", "FMT");
    private static readonly Option<(int Width, int Height)?> InputSize = OptionValues.Size("--input-size", "capture size asked of a camera or screen");
    private static readonly Option<double?> InputFps = OptionValues.PositiveNumber("--input-fps", "capture rate asked of a camera or screen");
    private static readonly Option<bool> Realtime = OptionValues.Flag("--realtime", "play a file at its own rate (demos, tests)");
    private static readonly Option<bool> Loop = OptionValues.Flag("--loop", "with --realtime: start the file over at its end");
    private static readonly Option<string[]> Output = OptionValues.Paths("--output",
        "the composition to a file (.mp4/.mkv H.264, .webm VP9 with alpha, .mov ProRes, .gif) or a stream " +
        "(udp://, rtp://, srt://, tcp:// as MPEG-TS; rtmp:// as FLV; rtsp://); may be given more than once", "URL|FILE");
    private static readonly Option<string?> OutputAlpha = OptionValues.Path("--output-alpha", "the alpha matte to a file or stream", "URL|FILE");
    private static readonly Option<string?> OutputForeground = OptionValues.Path("--output-foreground", "the foreground to a file or stream", "URL|FILE");
    private static readonly Option<string?> OutputV4l2 = OptionValues.Path("--output-v4l2",
        "the composition as a virtual camera (v4l2loopback device, e.g. /dev/video10)", "DEVICE");
    private static readonly Option<double?> MaxLatency = OptionValues.PositiveNumber("--max-latency-ms",
        $"drop a frame that would come out later than this after it arrived (default {LiveMatterOptions.DefaultMaxLatency.TotalMilliseconds:0})", "MS");
    private static readonly Option<string?> Stats = OptionValues.OutputPath("--stats", "write a JSON summary here at exit (frames, drops, latency, fps)", "FILE");
    private static readonly Option<bool> Reconnect = OptionValues.Flag("--reconnect", "reopen the input when it ends, stalls or fails");
    private static readonly Option<double?> Duration = OptionValues.PositiveNumber("--duration", "stop after this long", "SECONDS");
    private static readonly Option<PreviewAddress?> PreviewAt = OptionValues.Parsed<PreviewAddress?>("--preview",
        "a page to watch and steer the session (composition, alpha, input, stats; background colour, blur or uploaded image, ratio, reset) at " +
        "http://127.0.0.1:PORT/ with a random token that every request needs (the address printed at start carries it); another address " +
        "only when given ([::1]:PORT, or 0.0.0.0:PORT to open it to the network)", "[ADDR:]PORT", PreviewAddress.Parse);
    private static readonly Option<bool> Retime = OptionValues.Flag("--retime",
        "search for the network size again (the live default ratio) instead of taking the one found by an earlier run on this machine " +
        "with the same weights, threads, size and rate (remembered in ~/.cache/mattekit/live-network-sides.json)");
    private static readonly Option<bool> KeepStateAtCuts = OptionValues.Flag("--no-scene-cut-reset",
        "keep the recurrent state across scene cuts (by default a frame unlike the one before resets it)");

    public static Command Build(CancellationToken cancel)
    {
        var command = new Command("live", "Matte a camera, a stream or a screen in real time: the newest frame wins, drops and latency counted");
        foreach (var option in new Option[]
                 {
                     InputFormat, InputSize, InputFps, Realtime, Loop, Output, OutputAlpha, OutputForeground, OutputV4l2, SharedOptions.Background,
                     MaxLatency, Stats, SharedOptions.Subject, SharedOptions.SubjectMask, SharedOptions.SubjectFrame, SharedOptions.ReadTimeout, Reconnect, Duration, SharedOptions.Crf, SharedOptions.Mbps, PreviewAt, KeepStateAtCuts, Retime,
                 }.Concat(SharedOptions.Matting).Append(SharedOptions.Quiet))
            command.Add(option);
        command.Add(Input);
        command.SetAction(parse => Run(parse, cancel));
        return command;
    }

    private static int Run(ParseResult parse, CancellationToken cancel)
    {
        var options = new LiveSessionOptions
        {
            Input = parse.GetRequiredValue(Input),
            InputFormat = parse.GetValue(InputFormat),
            InputSize = parse.GetValue(InputSize),
            InputFps = parse.GetValue(InputFps),
            Realtime = parse.GetValue(Realtime),
            Loop = parse.GetValue(Loop),
            Outputs = parse.GetValue(Output) ?? Array.Empty<string>(),
            OutputAlpha = parse.GetValue(OutputAlpha),
            OutputForeground = parse.GetValue(OutputForeground),
            OutputV4l2 = parse.GetValue(OutputV4l2),
            StatsFile = parse.GetValue(Stats),
            ReadTimeout = SharedOptions.ReadReadTimeout(parse, LiveSessionOptions.DefaultReadTimeout),
            Reconnect = parse.GetValue(Reconnect),
            Duration = parse.GetValue(Duration) is { } d ? TimeSpan.FromSeconds(d) : null,
            Encoding = new LiveEncoding { Crf = parse.GetValue(SharedOptions.Crf), Mbps = parse.GetValue(SharedOptions.Mbps) },
            HasViewer = parse.GetValue(PreviewAt) is not null,
            Matter = new LiveMatterOptions
            {
                Matting = LiveMatting(parse),
                Subject = SharedOptions.ReadSubject(parse, withTime: false),
                SubjectChangeable = parse.GetValue(PreviewAt) is not null, // the page may choose someone with a click
                MaxLatency = parse.GetValue(MaxLatency) is { } ms ? TimeSpan.FromMilliseconds(ms) : LiveMatterOptions.DefaultMaxLatency,
                Background = parse.GetRequiredValue(SharedOptions.Background),
                ResetOnSceneCut = !parse.GetValue(KeepStateAtCuts),
                // Searched again with --retime, and the result remembered for the next run.
                NetworkSideMemoryFile = CacheFolder.Path("live-network-sides.json"),
                RetimeNetworkSide = parse.GetValue(Retime),
            },
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new UsageException(ParameterFlags.Say(e));
        }
        // Before the input opens (the stats are written at the end), as every command refuses an output where a link or a FIFO is.
        ReplaceableOutputs.Require(options.FileOutputs);

        bool quiet = parse.GetValue(SharedOptions.Quiet);
        LiveMatter? running = null;
        using var reporter = quiet ? null : new Timer(_ =>
        {
            if (Volatile.Read(ref running) is { } matter) Console.Error.WriteLine(Describe(matter.Stats));
        }, null, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2));
        var frames = new PreviewFrames();
        var at = parse.GetValue(PreviewAt);
        using var preview = at is null ? null : PreviewServer.Start(at, frames);
        if (preview is not null && at is not null)
        {
            Console.Error.WriteLine($"mattekit: preview at {string.Join(" or ", preview.PageUrls)}" + (at.IsLoopback ? "" :
                " (open to the network: anyone who reaches it and has this address, its token included, sees the input and steers the session)"));
        }
        LiveStats stats;
        try
        {
            stats = LiveSession.Run(options, line => Console.Error.WriteLine(ParameterFlags.Say(line)), viewer: preview is null ? null : frames.Offer, started: m =>
            {
                Volatile.Write(ref running, m);
                preview?.Attach(m);
            }, cancel);
        }
        catch (MatteKit.Subjects.SubjectChoiceException e)
        {
            // Only the first frame can tell that --subject asks for someone who is not there: a usage error, as in convert.
            throw new UsageException(ParameterFlags.Say(e));
        }
        catch (MatteKit.Live.LiveSessionException e) when (e.InnerException is MatteKit.Subjects.SubjectChoiceException)
        {
            // The same, found at a later frame (--subject-frame): still the option's error; the frames before are kept.
            throw new UsageException(ParameterFlags.Say(e.Message));
        }
        Volatile.Write(ref running, null);
        if (!quiet)
        {
            Console.WriteLine($"live: {stats.FramesIn} frame(s) in, {stats.FramesOut} out, {stats.Dropped} dropped " +
                              $"({(stats.FramesIn == 0 ? 0 : 100.0 * stats.Dropped / stats.FramesIn):0.0}%, {stats.DroppedAtStart} before the first output); " +
                              $"{stats.FpsOut:0.0} fps out; latency p50 {stats.LatencyP50Ms:0.0} ms, p95 {stats.LatencyP95Ms:0.0} ms, max {stats.LatencyMaxMs:0.0} ms; " +
                              $"ratio {stats.DownsampleRatio:0.###} (network at {stats.NetworkWidth}x{stats.NetworkHeight} in {(options.Matter.Matting.Int8 ? "int8" : "fp32")}, {stats.NetworkMs:0.0} ms a frame" +
                              (stats.NetworkSideRemembered ? ", its size remembered from an earlier run: --retime searches again" : "") + ")");
            Console.Out.Flush();
        }
        return 0;
    }

    private static string Describe(LiveStats s)
        => $"live: in {s.FpsIn:0.0} fps, out {s.FpsOutRecent:0.0} fps, dropped {s.Dropped} ({(s.FramesIn == 0 ? 0 : 100.0 * s.Dropped / s.FramesIn):0.0}%), " +
           $"latency p50 {s.LatencyP50Ms:0} ms p95 {s.LatencyP95Ms:0} ms max {s.LatencyMaxMs:0} ms";

    /// <summary>
    /// The matting settings, with int8 as live's default precision where it runs (RVM on the embedded weights) and live
    /// chooses the network's size (no fixed ratio): live keeps its frame rate by that size, and int8's speed buys a
    /// larger network, whose alpha is closer to
    /// convert's than float32's at its own smaller size (at 640x360, MAD x1e3 5.48 at 288x162 in int8 against 8.11 at
    /// 224x126 in float32, `bench live --quality`, docs/live.md). `--precision fp32` keeps float32.
    /// </summary>
    private static MattingSettings LiveMatting(ParseResult parse)
    {
        var matting = SharedOptions.ReadMatting(parse);
        bool int8Buys = matting.Model == MatteModel.Rvm && matting.Weights is null && matting.DownsampleRatio is null;
        return parse.GetValue(SharedOptions.Precision) is null && int8Buys ? matting with { Int8 = true } : matting;
    }
}
