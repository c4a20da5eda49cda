using MatteKit.Inference;
using MatteKit.Media;
using MatteKit.Media.Ffmpeg;

namespace MatteKit.Conversion;

/// <summary>Frames of a video file, stdin, a URL or a device, decoded by an ffmpeg child process.</summary>
internal sealed class VideoFrameSource : FrameSource
{
    private readonly VideoDecoder _decoder;
    private readonly FrameRate? _probedRate;
    private int _index;

    private VideoFrameSource(VideoDecoder decoder, FrameRate? probedRate)
    {
        _decoder = decoder;
        _probedRate = probedRate;
    }

    public override FrameRate FrameRate => _probedRate ?? _decoder.StreamFrameRate ?? FrameRate.Default;

    /// <param name="path">The video file.</param>
    /// <param name="options">Cut, resize, limits and the chunk to decode.</param>
    /// <param name="filter">An ffmpeg filter to apply while decoding (the resize), or null.</param>
    /// <param name="cancel">Stops probing and decoding.</param>
    /// <param name="window">The chunk and warm-up decoded (<c>--frames</c>, <c>--warmup</c>); null = the whole input.</param>
    /// <param name="prime">A window starting at frame 0 primes it (<see cref="ConvertOptions.Priming"/>).</param>
    public static VideoFrameSource OpenFile(string path, ConvertOptions options, string? filter, CancellationToken cancel, out ChunkWindow? window, bool prime = false)
    {
        var info = MediaProbe.Probe(path, options.ReadTimeout, cancel);
        var (width, height) = info.DisplaySize;
        PixelLimit.Check(path, width, height, options.Matting.MaxPixels);
        // A variable-rate stream written at its base rate would run short against its audio: its frames go onto a
        // constant grid at the average rate instead (a frame is repeated or dropped where the spacing varies).
        FrameRate? constant = info.IsVariableFrameRate ? info.AverageFrameRate : null;
        var rate = constant ?? info.FrameRate;
        window = null;
        double? start = options.StartSeconds;
        int maxFrames = 0;
        if (options.Frames is not null || options.Warmup > 0)
        {
            if (constant is not null)
                throw new MediaFormatException(path, "has a variable frame rate: Frames and Warmup count frames of a constant-rate input " +
                    "(convert it to a constant rate first, e.g. ffmpeg -i IN -fps_mode cfr -r RATE OUT)") { Parameters = [nameof(ConvertOptions.Frames), nameof(ConvertOptions.Warmup)] };
            var chunk = ChunkWindow.For(options, EstimateFrames(info, rate, null, null, false), prime)
                ?? throw new InvalidOperationException("Frames or Warmup gave no chunk window");
            window = chunk;
            // Frame n shows at n / rate from the input's start (ffmpeg adds the start time to -ss): seeking half a
            // frame before the first one wanted decodes exactly from it, whatever the keyframes.
            if (chunk.DecodeFrom > 0) start = (chunk.DecodeFrom - 0.5) / rate.PerSecond;
            maxFrames = chunk.DecodeCount;
        }
        var decoder = VideoDecoder.Open(path, start, options.DurationSeconds, filter, maxFrames: maxFrames, color: info.Color, constantRate: constant,
            maxPixels: options.Matting.MaxPixels, readTimeout: options.ReadTimeout, cancel: cancel);
        return new VideoFrameSource(decoder, rate)
        {
            Name = path,
            FrameCountEstimate = EstimateFrames(info, rate, options.StartSeconds, options.DurationSeconds, constant is not null),
            AudioPath = !options.NoAudio && info.HasAudio ? path : null,
            AudioCodec = info.AudioCodec,
            Color = info.Color,
            RateNote = constant is { } c
                ? $"variable frame rate input: frames placed on a constant {c.PerSecond:0.###} fps grid ({c}) so that video and audio keep their length"
                : null,
        };
    }

    /// <summary>
    /// Frames ffmpeg will deliver for a cut, as measured with ffmpeg 5.1: <c>-t D</c> gives ceil(D x rate) frames
    /// (0.5 s at 25 fps: 13), <c>-ss S</c> starts at the frame showing at S; never more than the input has. A
    /// variable-rate input resampled to a constant grid gets about duration x rate (ffmpeg repeats or drops a
    /// frame where the spacing varies, so it can be a frame or two off).
    /// </summary>
    internal static int EstimateFrames(MediaInfo info, FrameRate rate, double? start, double? duration, bool resampled)
    {
        const double Epsilon = 1e-6;
        double r = rate.PerSecond;
        long total = resampled ? (long)Math.Round(info.DurationSeconds * r)
            : info.FrameCount > 0 ? info.FrameCount : (long)Math.Ceiling(info.DurationSeconds * r - Epsilon);
        long first = start is { } s ? (long)Math.Floor(s * r + Epsilon) : 0;
        long left = Math.Max(0, total - first);
        long count = duration is { } d ? Math.Min(left, (long)Math.Ceiling(d * r - Epsilon)) : left;
        return (int)Math.Clamp(count, 0, int.MaxValue);
    }

    /// <summary>Stdin, URLs and devices: nothing is probed beforehand (a second read of stdin is impossible).</summary>
    public static VideoFrameSource OpenStream(string input, ConvertOptions options, string? filter, CancellationToken cancel)
        => new(VideoDecoder.Open(input, options.StartSeconds, options.DurationSeconds, filter,
            maxPixels: options.Matting.MaxPixels, readTimeout: options.ReadTimeout, cancel: cancel), null) { Name = input };

    public override bool Read(FrameSlot slot)
    {
        if (!_decoder.ReadFrame(ref slot.Rgb, out slot.Width, out slot.Height)) return false;
        slot.Index = _index++;
        slot.SourceName = null;
        return true;
    }

    public override void Abort() => _decoder.Abort();

    public override void Dispose() => _decoder.Dispose();
}
