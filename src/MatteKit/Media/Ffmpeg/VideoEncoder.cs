using System.Globalization;

namespace MatteKit.Media.Ffmpeg;

/// <summary>
/// Encodes raw frames written to an ffmpeg child's stdin pipe into a video file. The file is written under a
/// temporary name and renamed by <see cref="Complete"/> (or <see cref="Commit"/> after <see cref="Finish"/>) once ffmpeg has finished it; disposing without completing
/// kills ffmpeg and removes the temporary file.
/// </summary>
internal sealed class VideoEncoder : IDisposable
{
    private readonly OutputFile _file;
    private readonly FfmpegProcess _process;
    private readonly Stream _stdin;
    private readonly int _frameBytes;
    private readonly string _path;

    public VideoEncoder(string path, VideoContainer container, VideoEncoding encoding)
    {
        _path = path;
        _frameBytes = encoding.Width * encoding.Height * encoding.Layout.BytesPerPixel();
        _file = new OutputFile(path);
        try
        {
            _process = new FfmpegProcess(FfmpegTools.Ffmpeg, Arguments(container, encoding, _file.WorkingPath), writeStdin: true, readStdout: false);
        }
        catch
        {
            _file.Dispose();
            throw;
        }
        _stdin = _process.StandardInput;
    }

    public string FinalPath => _file.FinalPath;

    /// <summary>Writes one frame (exactly width x height in the encoding's layout).</summary>
    public void Write(ReadOnlySpan<byte> frame)
    {
        if (frame.Length != _frameBytes) throw new ArgumentException($"frame has {frame.Length} bytes, the video's frames {_frameBytes}");
        try
        {
            _stdin.Write(frame);
        }
        catch (IOException)
        {
            // ffmpeg closed its end: it failed, and its stderr says why.
            _process.WaitForExit();
            throw new MediaFormatException(_path, $"encoding failed ({EncoderError()})");
        }
    }

    /// <summary>ffmpeg's last line, naming the output as the user named it rather than by its temporary name.</summary>
    private string EncoderError() => _process.LastError().Replace(_file.WorkingPath, _path);

    /// <summary>Ends the stream, waits for ffmpeg to finish the file, and renames it to its final name.</summary>
    public void Complete()
    {
        Finish();
        Commit();
    }

    /// <summary>Ends the stream and waits for ffmpeg to finish the file (still under its temporary name).</summary>
    public void Finish()
    {
        try
        {
            _stdin.Close();
        }
        catch (IOException)
        {
            // Reported through the exit code below.
        }
        if (_process.WaitForExit() != 0)
            throw new MediaFormatException(_path, $"encoding failed ({EncoderError()})");
    }

    /// <summary>Renames the finished file to its final name.</summary>
    public void Commit() => _file.Commit();

    /// <summary>Kills ffmpeg (callable from another thread); a blocked <see cref="Write"/> then fails.</summary>
    public void Abort() => _process.Kill();

    private static List<string> Arguments(VideoContainer container, VideoEncoding e, string target)
    {
        var args = new List<string>
        {
            "-hide_banner", "-nostats", "-v", "error", "-y",
            "-f", "rawvideo",
            "-pix_fmt", e.Layout.FfmpegName(),
            "-s", $"{e.Width}x{e.Height}",
            "-framerate", e.FrameRate.ToString(),
            "-i", "pipe:0",
        };
        bool audio = e.AudioSource is not null && container.SupportsAudio;
        if (audio && e.AudioSource is { } audioSource)
        {
            if (e.AudioStartSeconds is { } s) args.AddRange(new[] { "-ss", Seconds(s) });
            if (e.AudioDurationSeconds is { } d) args.AddRange(new[] { "-t", Seconds(d) });
            args.AddRange(new[] { "-i", FfmpegPath.Input(audioSource) });
        }
        if (container.Name != "gif")
        {
            args.AddRange(new[] { "-map", "0:v:0" });
            if (audio) args.AddRange(new[] { "-map", "1:a:0" });
        }
        args.AddRange(container.CodecArguments(e));
        // The rate as a stream property too, so that players and ffprobe report exactly the input's rational rate.
        if (container.Name != "gif") args.AddRange(new[] { "-r", e.FrameRate.ToString() });
        args.AddRange(new[] { "-f", container.Muxer, FfmpegPath.Output(target) });
        return args;
    }

    private static string Seconds(double s) => s.ToString("0.######", CultureInfo.InvariantCulture);

    public void Dispose()
    {
        _process.Dispose();
        _file.Dispose();
    }
}
