using System.Globalization;
using System.Text.RegularExpressions;

namespace MatteKit.Media.Ffmpeg;

/// <summary>
/// Decodes a video (or image, stream, device) with an ffmpeg child process into 8-bit RGB frames, read from
/// its stdout pipe into buffers the caller owns. ffmpeg applies the input's rotation, so frames come out upright.
/// </summary>
internal sealed partial class VideoDecoder : IDisposable
{
    private readonly FfmpegProcess _process;
    private readonly PpmStreamReader _reader;
    private readonly string _input;
    private readonly ManualResetEventSlim _headerSeen = new();
    private readonly TimeSpan _readTimeout;
    private readonly CancellationToken _cancel;
    private readonly CancellationTokenRegistration _cancelRegistration;
    private readonly Timer _watchdog;
    private long _readingSince;
    private volatile bool _timedOut;
    private FrameRate? _streamRate;
    private bool _ended;

    private readonly Action<int, int>? _onStreamSize;

    private VideoDecoder(string input, List<string> args, bool fromStdin, bool live, long maxPixels, TimeSpan readTimeout, CancellationToken cancel,
        Action<int, int>? onStreamSize = null)
    {
        _onStreamSize = onStreamSize;
        _input = input;
        _readTimeout = readTimeout;
        _cancel = cancel;
        _process = new FfmpegProcess(FfmpegTools.Ffmpeg, args, writeStdin: false, readStdout: true, inheritStdin: fromStdin,
            onStderrLine: live ? WatchHeader : null);
        if (!live) _headerSeen.Set();
        _reader = new PpmStreamReader(new BufferedStream(_process.StandardOutput, 1 << 20), input, maxPixels);
        _cancelRegistration = cancel.Register(Abort);
        // A read that waits longer than the timeout for ffmpeg means the input stalled: ffmpeg is killed, so the
        // blocked read returns and reports it. Time spent outside ReadFrame (a slow consumer) does not count.
        _watchdog = new Timer(_ => CheckStall(), null, TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(500));
    }

    /// <summary>
    /// How long one read (or a probe) may wait for ffmpeg by default before the input counts as stalled: a network
    /// stream that stopped, a FIFO nobody writes to.
    /// </summary>
    public static readonly TimeSpan DefaultReadTimeout = TimeSpan.FromSeconds(30);

    private void CheckStall()
    {
        long since = Interlocked.Read(ref _readingSince);
        if (since != 0 && System.Diagnostics.Stopwatch.GetElapsedTime(since) > _readTimeout)
        {
            _timedOut = true;
            _process.Kill();
        }
    }

    /// <summary>Frames decoded so far.</summary>
    public long FramesRead { get; private set; }

    /// <summary>
    /// Starts decoding <paramref name="input"/> (a file, <c>-</c> for stdin, a URL or a device).
    /// <paramref name="filter"/> is an ffmpeg video filter chain applied before conversion to RGB.
    /// </summary>
    /// <param name="input">A file, <c>-</c> for stdin, a URL or a device.</param>
    /// <param name="startSeconds">Where to start (ffmpeg's <c>-ss</c>).</param>
    /// <param name="durationSeconds">How much to decode (ffmpeg's <c>-t</c>).</param>
    /// <param name="filter">An ffmpeg filter chain applied before the conversion to RGB.</param>
    /// <param name="loop">Start over at the end (backgrounds).</param>
    /// <param name="maxFrames">Stop after this many frames; 0 = all.</param>
    /// <param name="color">Decode with this matrix and range (the probed input's); null = ffmpeg's choice from the stream's tags.</param>
    /// <param name="constantRate">Place frames on this constant rate (ffmpeg repeats or drops frames), for variable-rate inputs; null = every frame once.</param>
    /// <param name="maxPixels">Larger frames are refused, by ffmpeg's decoder before it allocates them and again at each frame's header.</param>
    /// <param name="readTimeout">How long one read may wait for a frame before the input counts as stalled (default 30 s).</param>
    /// <param name="cancel">Kills ffmpeg; a blocked read then throws <see cref="OperationCanceledException"/>.</param>
    public static VideoDecoder Open(string input, double? startSeconds = null, double? durationSeconds = null,
        string? filter = null, bool loop = false, int maxFrames = 0, VideoColor? color = null, FrameRate? constantRate = null,
        long maxPixels = PixelLimit.Default, TimeSpan? readTimeout = null, CancellationToken cancel = default)
    {
        bool fromStdin = input == "-";
        // Streams and devices cannot be probed beforehand; ffmpeg's input description (info level) gives their rate.
        bool live = fromStdin || !File.Exists(input);
        var beforeInput = new List<string>();
        if (loop) beforeInput.AddRange(new[] { "-stream_loop", "-1" });
        if (startSeconds is { } s) beforeInput.AddRange(new[] { "-ss", Seconds(s) });
        if (durationSeconds is { } d) beforeInput.AddRange(new[] { "-t", Seconds(d) });
        var afterInput = new List<string>();
        var filters = color is null ? filter : color.DecodeFilter(filter);
        if (filters is not null) afterInput.AddRange(new[] { "-vf", filters });
        if (maxFrames > 0) afterInput.AddRange(new[] { "-frames:v", maxFrames.ToString(CultureInfo.InvariantCulture) });
        // passthrough: every decoded frame once, none duplicated or dropped, so output frame counts equal input's.
        // A variable-rate input instead goes onto a constant grid, so that its length (and sync with audio) is kept.
        if (constantRate is { } rate) afterInput.AddRange(new[] { "-fps_mode", "cfr", "-r", rate.ToString() });
        else afterInput.AddRange(new[] { "-fps_mode", "passthrough" });
        var args = Arguments(input, live, beforeInput, maxPixels, afterInput);
        return new VideoDecoder(input, args, fromStdin, live, maxPixels, readTimeout ?? DefaultReadTimeout, cancel);
    }

    /// <summary>
    /// Starts decoding a live source for <c>mattekit live</c>: <paramref name="inputOptions"/> go before <c>-i</c>
    /// (a demuxer, a capture size and rate, <c>-re</c>), and every frame comes out once as it is decoded. <paramref name="onStreamSize"/> is told the stream's frame size from ffmpeg's
    /// description of the input, before the first frame is decoded.
    /// </summary>
    public static VideoDecoder OpenLive(string input, IEnumerable<string> inputOptions, long maxPixels, TimeSpan readTimeout,
        Action<int, int>? onStreamSize, CancellationToken cancel)
    {
        // No -fflags nobuffer or -flags low_delay: with ffmpeg 5.1 either one leaves H.264 over UDP undecodable
        // ("decode_slice_header error", no frame in 9 s, measured here), and nobuffer decodes nothing from an MP4.
        var beforeInput = new List<string>(inputOptions);
        // A network stream is probed for 0.3 s rather than ffmpeg's 5 (MPEG-TS over UDP): joining it took 6 s for 50
        // frames at 25 fps with the default, 3 s with 1 s; and what the probe holds comes out at once when it ends, older
        // than the latency bound, so it is dropped: 30 frames at 30 fps with 1 s, 8 with 0.3 s (640x360 H.264, measured
        // here; joining a running stream with a keyframe every 4 s still worked). Only its video stream is needed.
        if (input.Contains("://", StringComparison.Ordinal)) beforeInput.InsertRange(0, new[] { "-analyzeduration", "300000", "-probesize", "500000" });
        var args = Arguments(input, live: true, beforeInput, maxPixels, new[] { "-fps_mode", "passthrough" });
        return new VideoDecoder(input, args, input == "-", live: true, maxPixels, readTimeout, cancel, onStreamSize);
    }

    /// <summary>
    /// ffmpeg's command line for a decoder: <paramref name="beforeInput"/> and <paramref name="afterInput"/> around
    /// <c>-i</c>, the first video stream out as PPM frames on stdout. A capture device is named as one (<c>-f v4l2</c>)
    /// unless <paramref name="beforeInput"/> names a demuxer: devices are not recognised by probing their content.
    /// </summary>
    private static List<string> Arguments(string input, bool live, IEnumerable<string> beforeInput, long maxPixels, IEnumerable<string> afterInput)
    {
        bool fromStdin = input == "-";
        var args = new List<string> { "-hide_banner", "-nostats", "-v", live ? "info" : "error" };
        if (!fromStdin) args.Add("-nostdin");
        args.AddRange(beforeInput);
        args.AddRange(new[] { "-max_pixels", Math.Min(maxPixels, int.MaxValue).ToString(CultureInfo.InvariantCulture) });
        if (input.StartsWith("/dev/video", StringComparison.Ordinal) && !args.Contains("-f")) args.AddRange(new[] { "-f", "v4l2" });
        args.AddRange(new[] { "-i", fromStdin ? "pipe:0" : FfmpegPath.Input(input), "-map", "0:v:0" });
        args.AddRange(afterInput);
        args.AddRange(new[] { "-f", "image2pipe", "-c:v", "ppm", "-pix_fmt", "rgb24", "pipe:1" });
        return args;
    }

    /// <summary>
    /// Reads the next frame into <paramref name="pixels"/> (replaced only when too small). False at the end of
    /// the input; an input ffmpeg fails on, or one that ends in the middle (truncated), throws.
    /// </summary>
    /// <exception cref="MediaFormatException">Decoding failed; the message names the input.</exception>
    public bool ReadFrame(ref byte[] pixels, out int width, out int height)
    {
        width = height = 0;
        if (_ended) return false;
        bool got;
        Interlocked.Exchange(ref _readingSince, System.Diagnostics.Stopwatch.GetTimestamp());
        try
        {
            got = _reader.Read(ref pixels, out width, out height);
        }
        catch (Exception e) when (e is EndOfStreamException or IOException || (e is MediaFormatException && (_timedOut || _cancel.IsCancellationRequested)))
        {
            got = false;
        }
        finally
        {
            Interlocked.Exchange(ref _readingSince, 0);
        }
        _cancel.ThrowIfCancellationRequested();
        if (_timedOut)
        {
            _ended = true;
            throw new MediaFormatException(_input,
                $"sent no frame for {_readTimeout.TotalSeconds:0.#} s (a stalled stream, or a FIFO nobody writes to); ReadTimeout sets the limit");
        }
        if (got)
        {
            FramesRead++;
            return true;
        }
        _ended = true;
        int code = _process.WaitForExit();
        _cancel.ThrowIfCancellationRequested();
        var lines = _process.StderrLines;
        if (code != 0)
            throw new MediaFormatException(_input, MediaProbe.Unreadable(_input, "decoding failed", _process.LastError()));
        var partial = lines.FirstOrDefault(l => l.Contains("partial file", StringComparison.Ordinal));
        if (partial is not null)
            throw new MediaFormatException(_input, $"is truncated: its data ends early (after {FramesRead} frame(s); ffmpeg: {FfmpegProcess.WithoutContext(partial)})");
        return false;
    }

    /// <summary>Kills ffmpeg (callable from another thread); a blocked <see cref="ReadFrame"/> then returns.</summary>
    public void Abort() => _process.Kill();

    /// <summary>
    /// For stdin, URLs and devices, the frame rate ffmpeg reports for the input stream (there is nothing to probe
    /// beforehand); null when it did not report one, and for files (probe those).
    /// </summary>
    public FrameRate? StreamFrameRate
    {
        get
        {
            _headerSeen.Wait(TimeSpan.FromSeconds(5));
            return _streamRate;
        }
    }

    private void WatchHeader(string line)
    {
        if (_streamRate is null && line.Contains("Video:", StringComparison.Ordinal) && line.Contains("Stream #0:", StringComparison.Ordinal))
        {
            var m = RateInHeader().Match(line);
            if (m.Success && FrameRate.TryParse(m.Groups[1].Value, out var rate)) _streamRate = rate;
            var size = SizeInHeader().Match(line);
            if (size.Success && int.TryParse(size.Groups[1].Value, out int w) && int.TryParse(size.Groups[2].Value, out int h) && w > 0 && h > 0)
                _onStreamSize?.Invoke(w, h);
        }
        if (line.StartsWith("Output #0", StringComparison.Ordinal) || line.StartsWith("Stream mapping", StringComparison.Ordinal))
            _headerSeen.Set();
    }

    [GeneratedRegex(@",\s*([0-9.]+)\s+(?:fps|tbr)")]
    private static partial Regex RateInHeader();

    [GeneratedRegex(@",\s*(\d{1,5})x(\d{1,5})[\s,\[]")]
    private static partial Regex SizeInHeader();

    private static string Seconds(double s) => s.ToString("0.######", CultureInfo.InvariantCulture);

    public void Dispose()
    {
        _watchdog.Dispose();
        _cancelRegistration.Dispose();
        _process.Dispose();
        _headerSeen.Dispose();
    }
}
