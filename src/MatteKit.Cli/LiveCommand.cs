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
    private static readonly Argument<string> Input = new("INPUT")
    {
        Description = "/dev/videoN (a V4L2 camera), a stream URL (udp, rtp, srt, rtmp, rtsp, http), - (stdin), a screen or device " +
                      "with --input-format (x11grab :0.0), or a file with --realtime",
    };

    private static readonly Option<string?> InputFormat = OptionValues.Path("--input-format", "ffmpeg demuxer for INPUT (x11grab, v4l2, mpegts, ...)", "FMT");
    private static readonly Option<(int Width, int Height)?> InputSize = OptionValues.Size("--input-size", "capture size asked of a camera or screen");
    private static readonly Option<double?> InputFps = OptionValues.PositiveNumber("--input-fps", "capture rate asked of a camera or screen");
    private static readonly Option<bool> Realtime = OptionValues.Flag("--realtime", "play a file at its own rate (demos, tests)");
    private static readonly Option<bool> Loop = OptionValues.Flag("--loop", "with --realtime: start the file over at its end");
    private static readonly Option<string[]> Output = new("--output")
    {
        Description = "the composition to a file (.mp4/.mkv H.264, .webm VP9 with alpha, .mov ProRes, .gif) or a stream " +
                      "(udp://, rtp://, srt://, tcp:// as MPEG-TS; rtmp:// as FLV; rtsp://); may be given more than once",
        HelpName = "URL|FILE",
        AllowMultipleArgumentsPerToken = false,
    };
    private static readonly Option<string?> OutputAlpha = OptionValues.Path("--output-alpha", "the alpha matte to a file or stream", "URL|FILE");
    private static readonly Option<string?> OutputForeground = OptionValues.Path("--output-foreground", "the foreground to a file or stream", "URL|FILE");
    private static readonly Option<string?> OutputV4l2 = OptionValues.Path("--output-v4l2",
        "the composition as a virtual camera (v4l2loopback device, e.g. /dev/video10)", "DEVICE");
    private static readonly Option<string> Background = new("--background")
    {
        Description = "green (default), black, white, #RRGGBB, blur[:SIGMA] (the room blurred, SIGMA in pixels, default 16), an image, " +
                      "a video, or transparent (.webm/.mov outputs)",
        HelpName = "BG",
        DefaultValueFactory = _ => "green",
    };
    private static readonly Option<double?> Ratio = OptionValues.Ratio("--downsample-ratio",
        $"network resolution as a fraction of the frame; auto (default): the network's longer side at most {LiveMatterOptions.AutoNetworkSide} px, " +
        "lowered to fit the frame interval on this CPU (at half the frame's size when even 128 px does not)");
    private static readonly Option<double?> MaxLatency = OptionValues.PositiveNumber("--max-latency-ms",
        $"drop a frame that would come out later than this after it arrived (default {LiveMatterOptions.DefaultMaxLatency.TotalMilliseconds:0})", "MS");
    private static readonly Option<string?> Weights = OptionValues.Path("--weights", "as for convert; default: the embedded model");
    private static readonly Option<int?> Threads = OptionValues.WholeNumber("--threads", "inference threads (default: one per core)", 1);
    private static readonly Option<string?> Stats = OptionValues.Path("--stats", "write a JSON summary here at exit (frames, drops, latency, fps)", "FILE");
    private static readonly Option<double?> ReadTimeout = OptionValues.PositiveNumber("--read-timeout",
        "give up on an input that sends nothing this long (default 10)", "SECONDS");
    private static readonly Option<bool> Reconnect = OptionValues.Flag("--reconnect", "reopen the input when it ends, stalls or fails");
    private static readonly Option<double?> Duration = OptionValues.PositiveNumber("--duration", "stop after this long", "SECONDS");
    private static readonly Option<int?> Crf = OptionValues.WholeNumber("--crf", "constant quality of the outputs (H.264 default here 23)", 0);
    private static readonly Option<double?> Mbps = OptionValues.PositiveNumber("--output-video-mbps", "bit rate of the outputs instead");
    private static readonly Option<long?> MaxPixels = OptionValues.LongNumber("--max-pixels", "largest frame accepted", 1);
    private static readonly Option<PreviewAddress?> PreviewAt = OptionValues.Parsed<PreviewAddress?>("--preview",
        "a page to watch and steer the session (composition, alpha, input, stats; background colour, blur or uploaded image, ratio, reset) at " +
        "http://127.0.0.1:PORT/ with a random token that every request needs (the address printed at start carries it); another address " +
        "only when given ([::1]:PORT, or 0.0.0.0:PORT to open it to the network)", "[ADDR:]PORT", PreviewAddress.Parse);
    private static readonly Option<bool> KeepStateAtCuts = OptionValues.Flag("--no-scene-cut-reset",
        "keep the recurrent state across scene cuts (by default a frame unlike the one before resets it)");
    private static readonly Option<bool> Quiet = OptionValues.Flag("--quiet", "no live stats lines or summary");

    public static Command Build(CancellationToken cancel)
    {
        var command = new Command("live", "Matte a camera, a stream or a screen in real time: the newest frame wins, drops and latency counted")
        {
            Input, InputFormat, InputSize, InputFps, Realtime, Loop, Output, OutputAlpha, OutputForeground, OutputV4l2, Background, Ratio,
            MaxLatency, Weights, ConvertCommand.Refiner, ConvertCommand.Model, ConvertCommand.MaskSmoothing, Threads, Stats, ReadTimeout, Reconnect, Duration, Crf, Mbps, MaxPixels, PreviewAt, KeepStateAtCuts, Quiet,
        };
        command.SetAction(parse => Run(parse, cancel));
        return command;
    }

    private static int Run(ParseResult parse, CancellationToken cancel)
    {
        var options = new LiveSessionOptions
        {
            Input = parse.GetValue(Input)!,
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
            ReadTimeout = TimeSpan.FromSeconds(parse.GetValue(ReadTimeout) ?? 10),
            Reconnect = parse.GetValue(Reconnect),
            Duration = parse.GetValue(Duration) is { } d ? TimeSpan.FromSeconds(d) : null,
            Encoding = new LiveEncoding { Crf = parse.GetValue(Crf), Mbps = parse.GetValue(Mbps) },
            HasViewer = parse.GetValue(PreviewAt) is not null,
            Matter = new LiveMatterOptions
            {
                Weights = parse.GetValue(Weights),
                Threads = parse.GetValue(Threads) ?? 0,
                Refiner = parse.GetValue(ConvertCommand.Refiner),
                Model = parse.GetValue(ConvertCommand.Model) ?? MatteModel.Rvm,
                MaskSmoothing = (float)(parse.GetValue(ConvertCommand.MaskSmoothing) ?? 0),
                DownsampleRatio = parse.GetValue(Ratio),
                MaxLatency = parse.GetValue(MaxLatency) is { } ms ? TimeSpan.FromMilliseconds(ms) : LiveMatterOptions.DefaultMaxLatency,
                Background = parse.GetValue(Background)!,
                ResetOnSceneCut = !parse.GetValue(KeepStateAtCuts),
                MaxPixels = parse.GetValue(MaxPixels) ?? ConvertLimits.DefaultMaxPixels,
            },
        };
        if (options.Encoding.Crf is not null && options.Encoding.Mbps is not null) throw new UsageException("give either --output-video-mbps or --crf, not both");
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }

        bool quiet = parse.GetValue(Quiet);
        LiveMatter? running = null;
        using var reporter = quiet ? null : new Timer(_ =>
        {
            if (Volatile.Read(ref running) is { } matter) Console.Error.WriteLine(Describe(matter.Stats));
        }, null, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2));
        var frames = new PreviewFrames();
        using var preview = parse.GetValue(PreviewAt) is { } address ? PreviewServer.Start(address, frames) : null;
        if (preview is not null)
        {
            var at = parse.GetValue(PreviewAt)!;
            Console.Error.WriteLine($"mattekit: preview at {string.Join(" or ", preview.PageUrls)}" + (at.IsLoopback ? "" :
                " (open to the network: anyone who reaches it and has this address, its token included, sees the input and steers the session)"));
        }
        var stats = LiveSession.Run(options, line => Console.Error.WriteLine(line), viewer: preview is null ? null : frames.Offer, started: m =>
        {
            Volatile.Write(ref running, m);
            preview?.Attach(m);
        }, cancel);
        Volatile.Write(ref running, null);
        if (!quiet)
        {
            Console.WriteLine($"live: {stats.FramesIn} frame(s) in, {stats.FramesOut} out, {stats.Dropped} dropped " +
                              $"({(stats.FramesIn == 0 ? 0 : 100.0 * stats.Dropped / stats.FramesIn):0.0}%, {stats.DroppedAtStart} before the first output); " +
                              $"{stats.FpsOut:0.0} fps out; latency p50 {stats.LatencyP50Ms:0.0} ms, p95 {stats.LatencyP95Ms:0.0} ms, max {stats.LatencyMaxMs:0.0} ms; " +
                              $"ratio {stats.DownsampleRatio:0.###} (network at {stats.NetworkWidth}x{stats.NetworkHeight}, {stats.NetworkMs:0.0} ms a frame)");
            Console.Out.Flush();
        }
        return 0;
    }

    private static string Describe(LiveStats s)
        => $"live: in {s.FpsIn:0.0} fps, out {s.FpsOutRecent:0.0} fps, dropped {s.Dropped} ({(s.FramesIn == 0 ? 0 : 100.0 * s.Dropped / s.FramesIn):0.0}%), " +
           $"latency p50 {s.LatencyP50Ms:0} ms p95 {s.LatencyP95Ms:0} ms max {s.LatencyMaxMs:0} ms";
}
