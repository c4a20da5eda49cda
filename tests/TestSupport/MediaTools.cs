using System.Diagnostics;
using System.Text.Json;
using MatteKit.Media.Ffmpeg;

namespace MatteKit.Tests.TestSupport;

/// <summary>ffprobe and ffmpeg as the tests' independent view of what the CLI wrote.</summary>
public static class MediaTools
{
    public sealed record StreamInfo(string Type, string Codec, int Width, int Height, string FrameRate, int Frames, string PixelFormat);

    public static void SkipIfMissing()
        => Skip.If(!FfmpegTools.Available, "ffmpeg/ffprobe not on PATH (Debian: apt-get install ffmpeg); .ci/run installs them");

    /// <summary>Every stream of a file, frames counted by decoding (not the container's claim).</summary>
    public static IReadOnlyList<StreamInfo> Probe(string path)
    {
        var json = RunText("ffprobe", "-v", "error", "-count_frames", "-show_entries",
            "stream=codec_type,codec_name,width,height,r_frame_rate,nb_read_frames,pix_fmt", "-of", "json", path);
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("streams").EnumerateArray().Select(s => new StreamInfo(
            Str(s, "codec_type"), Str(s, "codec_name"), Int(s, "width"), Int(s, "height"), Str(s, "r_frame_rate"),
            Int(s, "nb_read_frames"), Str(s, "pix_fmt"))).ToList();
    }

    public static StreamInfo Video(string path) => Probe(path).Single(s => s.Type == "video");

    /// <summary>The video and audio streams' durations (from their last packets) and the decoded frame count.</summary>
    public static (double Video, double Audio, int Frames) Durations(string path)
    {
        double Last(string stream)
        {
            var text = RunText("ffprobe", "-v", "error", "-select_streams", stream, "-show_entries", "packet=pts_time,duration_time", "-of", "csv=p=0", path);
            return text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => l.Split(',')).Where(p => p.Length == 2 && double.TryParse(p[0], System.Globalization.CultureInfo.InvariantCulture, out _))
                .Max(p => double.Parse(p[0], System.Globalization.CultureInfo.InvariantCulture)
                          + (double.TryParse(p[1], System.Globalization.CultureInfo.InvariantCulture, out var d) ? d : 0));
        }
        return (Last("v:0"), Last("a:0"), Video(path).Frames);
    }

    /// <summary>
    /// Decodes every frame of a video as raw bytes (<paramref name="pixelFormat"/>: gray, rgb24, rgba).
    /// <paramref name="decoder"/> forces a decoder (libvpx-vp9 is the one that reads VP9's alpha).
    /// </summary>
    public static List<byte[]> DecodeFrames(string path, string pixelFormat, int width, int height, string? decoder = null, string? filter = null)
    {
        int channels = pixelFormat switch { "gray" => 1, "rgb24" => 3, _ => 4 };
        var args = new List<string> { "-nostdin", "-v", "error" };
        if (decoder is not null) args.AddRange(new[] { "-c:v", decoder });
        args.AddRange(new[] { "-i", path });
        if (filter is not null) args.AddRange(new[] { "-vf", filter });
        args.AddRange(new[] { "-f", "rawvideo", "-pix_fmt", pixelFormat, "pipe:1" });
        var bytes = RunBytes("ffmpeg", args.ToArray());
        int size = width * height * channels;
        Assert.Equal(0, bytes.Length % size);
        return Enumerable.Range(0, bytes.Length / size).Select(i => bytes.AsSpan(i * size, size).ToArray()).ToList();
    }

    /// <summary>
    /// The first frame of <paramref name="path"/> decoded by ffmpeg as float planes (<paramref name="pixelFormat"/>:
    /// grayf32le, gbrpf32le or gbrapf32le, planes in ffmpeg's order G, B, R, A), each <c>width * height</c> values.
    /// </summary>
    public static float[][] DecodeFloatPlanes(string path, string pixelFormat, int width, int height)
    {
        int planes = pixelFormat switch { "grayf32le" => 1, "gbrpf32le" => 3, _ => 4 };
        var bytes = RunBytes("ffmpeg", "-nostdin", "-v", "error", "-i", path, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", pixelFormat, "pipe:1");
        int size = width * height;
        Assert.Equal(planes * size * 4, bytes.Length);
        var floats = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray();
        return Enumerable.Range(0, planes).Select(p => floats.AsSpan(p * size, size).ToArray()).ToArray();
    }

    /// <summary>The first video stream's colour tags as ffprobe reads them: matrix, range, primaries, transfer.</summary>
    public static (string Matrix, string Range, string Primaries, string Transfer) ColorTags(string path)
    {
        var text = RunText("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=color_space,color_range,color_primaries,color_transfer",
            "-of", "json", path);
        using var doc = JsonDocument.Parse(text);
        var s = doc.RootElement.GetProperty("streams")[0];
        return (Str(s, "color_space"), Str(s, "color_range"), Str(s, "color_primaries"), Str(s, "color_transfer"));
    }

    /// <summary>The first frame of <paramref name="path"/> as 16-bit samples (<paramref name="pixelFormat"/>: gray16le, rgb48le, rgba64le), interleaved.</summary>
    public static ushort[] Decode16(string path, string pixelFormat)
    {
        var bytes = RunBytes("ffmpeg", "-nostdin", "-v", "error", "-i", path, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", pixelFormat, "pipe:1");
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(bytes).ToArray();
    }

    /// <summary>Runs ffmpeg to make a test input; fails the test if ffmpeg does.</summary>
    public static void Ffmpeg(params string[] args) => RunText("ffmpeg", new[] { "-nostdin", "-v", "error", "-y" }.Concat(args).ToArray());

    private static string RunText(string tool, params string[] args) => System.Text.Encoding.UTF8.GetString(RunBytes(tool, args));

    private static byte[] RunBytes(string tool, params string[] args)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        using var ms = new MemoryStream();
        p.StandardOutput.BaseStream.CopyTo(ms);
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{tool} {string.Join(' ', args)} failed: {stderr.Result}");
        return ms.ToArray();
    }

    private static string Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.ToString() : "";

    private static int Int(JsonElement e, string name)
        => e.TryGetProperty(name, out var v) && int.TryParse(v.ToString(), out int n) ? n : 0;
}
