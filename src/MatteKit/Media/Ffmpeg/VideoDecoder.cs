using System.Globalization;
using System.Text.RegularExpressions;

namespace MatteKit.Media.Ffmpeg;

/// <summary>
/// Decodes a video (or image, stream, device) with an ffmpeg child process into 8-bit RGB frames, read from
/// its stdout pipe into buffers the caller owns. ffmpeg applies the input's rotation, so frames come out upright.
/// </summary>
public sealed partial class VideoDecoder : IDisposable
{
    private readonly FfmpegProcess _process;
    private readonly PpmStreamReader _reader;
    private readonly string _input;
    private readonly ManualResetEventSlim _headerSeen = new();
    private FrameRate? _streamRate;
    private bool _ended;

    private VideoDecoder(string input, List<string> args, bool fromStdin, bool live)
    {
        _input = input;
        _process = new FfmpegProcess(FfmpegTools.Ffmpeg, args, writeStdin: false, readStdout: true, inheritStdin: fromStdin,
            onStderrLine: live ? WatchHeader : null);
        if (!live) _headerSeen.Set();
        _reader = new PpmStreamReader(new BufferedStream(_process.StandardOutput, 1 << 20), input);
    }

    /// <summary>Frames decoded so far.</summary>
    public long FramesRead { get; private set; }

    /// <summary>
    /// Starts decoding <paramref name="input"/> (a file, <c>-</c> for stdin, a URL or a device).
    /// <paramref name="filter"/> is an ffmpeg video filter chain applied before conversion to RGB.
    /// </summary>
    public static VideoDecoder Open(string input, double? startSeconds = null, double? durationSeconds = null,
        string? filter = null, bool loop = false, int maxFrames = 0)
    {
        bool fromStdin = input == "-";
        // Streams and devices cannot be probed beforehand; ffmpeg's input description (info level) gives their rate.
        bool live = fromStdin || !File.Exists(input);
        var args = new List<string> { "-hide_banner", "-nostats", "-v", live ? "info" : "error" };
        if (!fromStdin) args.Add("-nostdin");
        if (loop) args.AddRange(new[] { "-stream_loop", "-1" });
        if (startSeconds is { } s) args.AddRange(new[] { "-ss", Seconds(s) });
        if (durationSeconds is { } d) args.AddRange(new[] { "-t", Seconds(d) });
        // Capture devices are not recognised by probing their content: name the demuxer.
        if (input.StartsWith("/dev/video", StringComparison.Ordinal)) args.AddRange(new[] { "-f", "v4l2" });
        args.AddRange(new[] { "-i", fromStdin ? "pipe:0" : input, "-map", "0:v:0" });
        if (filter is not null) args.AddRange(new[] { "-vf", filter });
        if (maxFrames > 0) args.AddRange(new[] { "-frames:v", maxFrames.ToString(CultureInfo.InvariantCulture) });
        // passthrough: every decoded frame once, none duplicated or dropped, so output frame counts equal input's.
        args.AddRange(new[] { "-fps_mode", "passthrough", "-f", "image2pipe", "-c:v", "ppm", "-pix_fmt", "rgb24", "pipe:1" });
        return new VideoDecoder(input, args, fromStdin, live);
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
        try
        {
            got = _reader.Read(ref pixels, out width, out height);
        }
        catch (EndOfStreamException)
        {
            got = false;
        }
        if (got)
        {
            FramesRead++;
            return true;
        }
        _ended = true;
        int code = _process.WaitForExit();
        var lines = _process.StderrLines;
        if (code != 0)
            throw new MediaFormatException(_input, $"decoding failed ({MediaProbe.Describe(_process.LastError(), _input)})");
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
        }
        if (line.StartsWith("Output #0", StringComparison.Ordinal) || line.StartsWith("Stream mapping", StringComparison.Ordinal))
            _headerSeen.Set();
    }

    [GeneratedRegex(@",\s*([0-9.]+)\s+(?:fps|tbr)")]
    private static partial Regex RateInHeader();

    private static string Seconds(double s) => s.ToString("0.######", CultureInfo.InvariantCulture);

    public void Dispose()
    {
        _process.Dispose();
        _headerSeen.Dispose();
    }
}
