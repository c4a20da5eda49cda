using System.Diagnostics;
using MatteKit.Media;

namespace MatteKit.Datasets;

/// <summary>
/// Decodes what the project has no codec for (JPEG stills, videos) by running ffmpeg as a process. Kept to the two
/// calls dataset composition needs.
/// </summary>
internal static class FfmpegDecoder
{
    /// <summary>Decodes the first frame of any image ffmpeg reads, as RGB (through a PNG on a pipe).</summary>
    public static RgbImage ReadImage(string path)
    {
        using var process = Start(path, ["-i", path, "-frames:v", "1", "-f", "image2pipe", "-c:v", "png", "-"]);
        var png = new MemoryStream();
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.BaseStream.CopyTo(png);
        process.WaitForExit();
        if (process.ExitCode != 0 || png.Length == 0) throw Failed(path, error.Result);
        png.Position = 0;
        return PngFile.ReadRgb(png, path);
    }

    /// <summary>
    /// The first <paramref name="frames"/> frames of a video, scaled to cover <paramref name="width"/> x
    /// <paramref name="height"/> and centre-cropped to it; a video shorter than that starts over.
    /// </summary>
    public static IEnumerable<byte[]> ReadVideo(string path, int width, int height, int frames)
    {
        using var process = Start(path, [
            "-stream_loop", "-1", "-i", path, "-an",
            "-vf", $"scale={width}:{height}:force_original_aspect_ratio=increase:flags=bicubic,crop={width}:{height}",
            "-frames:v", frames.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]);
        var error = process.StandardError.ReadToEndAsync();
        var stream = process.StandardOutput.BaseStream;
        for (int i = 0; i < frames; i++)
        {
            var frame = new byte[width * height * 3];
            int filled = 0;
            while (filled < frame.Length)
            {
                int n = stream.Read(frame, filled, frame.Length - filled);
                if (n == 0) break;
                filled += n;
            }
            if (filled < frame.Length)
            {
                process.WaitForExit();
                throw Failed(path, error.Result.Length > 0 ? error.Result : $"video ended after {i} frame(s)");
            }
            yield return frame;
        }
        process.WaitForExit();
    }

    private static Process Start(string path, string[] args)
    {
        if (!File.Exists(path)) throw new MediaFormatException(path, "no such file");
        var psi = new ProcessStartInfo("ffmpeg")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in new[] { "-nostdin", "-v", "error" }.Concat(args)) psi.ArgumentList.Add(a);
        try
        {
            return Process.Start(psi) ?? throw new MediaFormatException(path, "could not start ffmpeg");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new MediaFormatException(path, "decoding it needs ffmpeg on PATH (Debian: apt-get install ffmpeg)");
        }
    }

    private static MediaFormatException Failed(string path, string stderr)
    {
        var line = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        return new MediaFormatException(path, $"ffmpeg could not decode it ({line ?? "no message"})");
    }
}
