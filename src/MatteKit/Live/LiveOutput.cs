using System.Collections.Concurrent;
using System.Globalization;
using MatteKit.Media;
using MatteKit.Media.Ffmpeg;

namespace MatteKit.Live;

/// <summary>
/// One live output: an ffmpeg child encoding to a file (written under a temporary name, renamed when the session
/// ends), a network stream (udp, srt, tcp: MPEG-TS; rtp: RTP/MPEG-TS; rtmp: FLV; rtsp) or a v4l2loopback device.
/// Frames are copied into one of three buffers and written by a thread of this output, so an output that falls
/// behind drops its own frames (counted) instead of holding the matting back. ffmpeg stamps each frame with the
/// wall clock as it arrives, so a recording keeps real time whatever was dropped.
/// </summary>
internal sealed class LiveOutput : IDisposable
{
    private const int Buffers = 3;
    private readonly FfmpegProcess _process;
    private readonly OutputFile? _file;
    private readonly BlockingCollection<byte[]> _queue = new(new ConcurrentQueue<byte[]>(), Buffers - 1);
    private readonly ConcurrentBag<byte[]> _free = new();
    private readonly Thread _writer;
    private readonly int _frameBytes;
    private Exception? _failure;
    private long _written, _dropped;

    private LiveOutput(string target, LiveOutputRole role, PixelLayout layout, int width, int height, List<string> args, OutputFile? file)
    {
        Target = target;
        Role = role;
        _file = file;
        _frameBytes = width * height * layout.BytesPerPixel();
        for (int i = 0; i < Buffers; i++) _free.Add(new byte[_frameBytes]);
        _process = new FfmpegProcess(FfmpegTools.Ffmpeg, args, writeStdin: true, readStdout: false);
        _writer = new Thread(Write) { Name = $"mattekit live output {target}", IsBackground = true };
        _writer.Start();
    }

    public string Target { get; }

    public LiveOutputRole Role { get; }

    public long Written => Interlocked.Read(ref _written);

    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Checks a target before anything starts (<see cref="Open"/> takes it as checked): a known extension, scheme or an existing device.</summary>
    /// <exception cref="MediaFormatException">One line naming the target and the problem.</exception>
    public static void Check(string target, bool v4l2, bool transparent)
    {
        if (v4l2)
        {
            var kind = FileIdentity.Of(target)?.Kind;
            if (kind is null)
                throw new MediaFormatException(target, "no such device; create a virtual camera first: sudo modprobe v4l2loopback video_nr=" +
                    $"{VideoNumber(target)} card_label=MatteKit exclusive_caps=1 (Debian package v4l2loopback-dkms)");
            // A plain file or a folder reached ffmpeg, whose v4l2 muxer failed with "Error initializing output stream 0:0".
            if (kind != FileKind.Device) throw new MediaFormatException(target, $"is {kind.Value.Phrase()}, not a video device; give a v4l2loopback device (/dev/videoN)");
            return;
        }
        if (IsUrl(target))
        {
            _ = StreamMuxer(target);
            if (transparent) throw new MediaFormatException(target, "a network stream (H.264) cannot hold transparency; give a .webm or .mov file for RGBA");
            return;
        }
        // A stream URL missing its // (srt:host:9000) or a file named like a protocol (file:x.mp4) was written as a file of that literal name.
        if (FfmpegPath.ProtocolPrefix(target) is { } protocol)
            throw new MediaFormatException(target, $"begins with '{protocol}:', which ffmpeg reads as a protocol, not as part of a file's name; " +
                                                   $"give a stream URL with its // (udp://, srt://, ...) or ./{PrintableText.Excerpt(target)} for a file of that name");
        var container = VideoContainer.ForPath(target)
            ?? throw new MediaFormatException(target, $"unsupported output extension '{Path.GetExtension(target)}' (use {VideoContainer.KnownExtensions}, a stream URL or OutputV4l2)");
        var parent = ParentFolder.Of(target);
        if (!Directory.Exists(parent)) throw new MediaFormatException(target, $"output folder {parent} does not exist");
        OutputFile.RequireReplaceable(target);
        if (transparent && !container.SupportsAlpha)
            throw new MediaFormatException(target, $"{container.Name} video cannot hold transparency; use .webm (VP9), .mov (ProRes 4444) or .gif");
    }

    public static LiveOutput Open(string target, bool v4l2, LiveOutputRole role, bool transparent, int width, int height, FrameRate rate,
        LiveEncoding encoding)
    {
        var layout = role == LiveOutputRole.Alpha ? PixelLayout.Gray8 : role == LiveOutputRole.Composition && transparent ? PixelLayout.Rgba32 : PixelLayout.Rgb24;
        var color = VideoColor.ForSize(width, height);
        var preset = encoding.H264Preset ?? "ultrafast";
        var video = new VideoEncoding
        {
            Width = width, Height = height, Layout = layout, FrameRate = rate, Color = color, Mbps = encoding.Mbps, Crf = encoding.Crf, H264Preset = preset,
        };
        var args = new List<string>
        {
            "-hide_banner", "-nostats", "-v", "error", "-y",
            "-f", "rawvideo", "-pix_fmt", layout.FfmpegName(), "-s", $"{width}x{height}", "-framerate", rate.ToString(),
            // Each frame is timed by when it is written, so a recording keeps real time across dropped frames.
            "-use_wallclock_as_timestamps", "1",
            "-i", "pipe:0", "-map", "0:v:0", "-fps_mode", "passthrough",
        };
        OutputFile? file = null;
        if (v4l2)
        {
            // What browsers, video-call apps and OBS take from a virtual camera.
            args.AddRange(new[] { "-vf", color.EncodeFilter, "-pix_fmt", "yuv420p", "-f", "v4l2", target });
        }
        else if (IsUrl(target))
        {
            int gop = Math.Max(1, (int)Math.Round(rate.PerSecond));
            args.AddRange(new[] { "-vf", color.EncodeFilter });
            args.AddRange(color.TagArguments());
            // zerolatency: no frame is held back for lookahead; a key frame every second lets a viewer join quickly.
            args.AddRange(new[] { "-c:v", "libx264", "-preset", preset, "-tune", "zerolatency", "-pix_fmt", "yuv420p",
                "-g", gop.ToString(CultureInfo.InvariantCulture) });
            args.AddRange(VideoContainer.Quality(video, defaultCrf: 23, crfNeedsZeroBitrate: false));
            args.AddRange(new[] { "-f", StreamMuxer(target), target });
        }
        else
        {
            var container = VideoContainer.ForPath(target)
                ?? throw new InvalidOperationException($"{target}: LiveOutput.Check refuses an output with no container");
            file = new OutputFile(target);
            args.AddRange(container.CodecArguments(video));
            args.AddRange(new[] { "-f", container.Muxer, FfmpegPath.Output(file.WorkingPath) });
        }
        try
        {
            return new LiveOutput(target, role, layout, width, height, args, file);
        }
        catch
        {
            file?.Dispose();
            throw;
        }
    }

    /// <summary>Queues a copy of the frame; false (and counted) when this output is still busy with earlier ones.</summary>
    public bool Offer(ReadOnlySpan<byte> frame)
    {
        if (_failure is { } failure) throw new MediaFormatException(Target, $"output failed ({failure.Message})");
        if (!_free.TryTake(out var buffer))
        {
            Interlocked.Increment(ref _dropped);
            return false;
        }
        frame.CopyTo(buffer);
        _queue.Add(buffer);
        return true;
    }

    private void Write()
    {
        var stdin = _process.StandardInput;
        try
        {
            foreach (var buffer in _queue.GetConsumingEnumerable())
            {
                stdin.Write(buffer, 0, _frameBytes);
                stdin.Flush();
                Interlocked.Increment(ref _written);
                _free.Add(buffer);
            }
        }
        catch (IOException)
        {
            _process.WaitForExit();
            _failure = new IOException(Describe());
        }
    }

    private string Describe() => _file is null ? _process.LastError() : _process.LastError().Replace(_file.WorkingPath, Target);

    /// <summary>Writes what is queued, ends the stream and waits (bounded) for ffmpeg to finish; a file is renamed into place.</summary>
    /// <exception cref="MediaFormatException">ffmpeg failed; the message names the target.</exception>
    /// <param name="timeout">The longest wait for the writer and for ffmpeg.</param>
    /// <param name="signalled">
    /// The session ended on a signal: ffmpeg children in the terminal's process group got the same Ctrl-C, finished
    /// their files and exit with 255, which is then no failure.
    /// </param>
    public void Finish(TimeSpan timeout, bool signalled)
    {
        _queue.CompleteAdding();
        if (!_writer.Join(timeout)) _process.Kill();
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
        }
        if (!_process.WaitForExit(timeout, CancellationToken.None))
            throw new MediaFormatException(Target, $"ffmpeg did not finish within {timeout.TotalSeconds:0.#} s");
        int code = _process.WaitForExit();
        if (_failure is not null || (code != 0 && !(signalled && code == 255)))
            throw new MediaFormatException(Target, $"output failed ({Describe()})");
        _file?.Commit();
    }

    internal static bool IsUrl(string target) => target.Contains("://", StringComparison.Ordinal);

    private static string StreamMuxer(string url)
    {
        var scheme = url[..url.IndexOf("://", StringComparison.Ordinal)].ToLowerInvariant();
        return scheme switch
        {
            "udp" or "srt" or "tcp" => "mpegts",
            "rtp" => "rtp_mpegts",
            "rtmp" or "rtmps" => "flv",
            "rtsp" => "rtsp",
            _ => throw new MediaFormatException(url, $"unsupported stream scheme '{scheme}' for an output (udp, rtp, srt, tcp, rtmp, rtsp)"),
        };
    }

    private static string VideoNumber(string device)
    {
        var digits = new string(device.Reverse().TakeWhile(char.IsDigit).Reverse().ToArray());
        return digits.Length > 0 ? digits : "10";
    }

    public void Dispose()
    {
        _queue.CompleteAdding();
        _process.Dispose();
        _writer.Join(TimeSpan.FromSeconds(2));
        _file?.Dispose();
        _queue.Dispose();
    }
}
