using System.Globalization;

namespace MatteKit.Media.Ffmpeg;

/// <summary>Whole pictures through <see cref="VideoDecoder"/>: one still image, or frames scaled to cover a size.</summary>
internal static class PictureReader
{
    /// <summary>What <see cref="DecodeImageBytes"/> takes, for messages.</summary>
    public const string ImageBytesFormats = "a PNG, JPEG, WebP or BMP image";

    /// <summary>
    /// An image sent as bytes (the preview page's upload), known by its first bytes: PNG is decoded here; JPEG, WebP
    /// and BMP by ffmpeg from a pipe with the image's own demuxer forced, so that nothing sent can be taken for a
    /// playlist, a concat list or anything else that names other files or URLs.
    /// </summary>
    /// <param name="bytes">The whole image as it was sent.</param>
    /// <param name="source">What to call the bytes in messages (never a path: uploads have none).</param>
    /// <param name="maxPixels">The largest image accepted, checked before decoding.</param>
    /// <param name="timeout">How long ffmpeg may take to decode it.</param>
    /// <exception cref="MediaFormatException">Not one of <see cref="ImageBytesFormats"/>, damaged, larger than <paramref name="maxPixels"/>, or slower to decode than <paramref name="timeout"/>.</exception>
    public static RgbImage DecodeImageBytes(byte[] bytes, string source, long maxPixels, TimeSpan timeout)
    {
        string? demuxer = ImageDemuxer(bytes);
        if (demuxer is null) throw new MediaFormatException(source, $"is not {ImageBytesFormats} (its first bytes say neither)");
        if (demuxer == "png_pipe")
        {
            var rgb = PngReader.Decode(bytes, source, 3, maxPixels, out int width, out int height);
            return new RgbImage(width, height, rgb);
        }
        var args = new List<string>
        {
            "-hide_banner", "-nostats", "-v", "error", "-protocol_whitelist", "pipe", "-f", demuxer,
            "-max_pixels", Math.Min(maxPixels, int.MaxValue).ToString(CultureInfo.InvariantCulture), "-i", "pipe:0",
            "-map", "0:v:0", "-frames:v", "1", "-f", "image2pipe", "-c:v", "ppm", "-pix_fmt", "rgb24", "pipe:1",
        };
        using var ffmpeg = new FfmpegProcess(FfmpegTools.Ffmpeg, args, writeStdin: true, readStdout: true);
        using var deadline = new Timer(_ => ffmpeg.Kill(), null, timeout, Timeout.InfiniteTimeSpan);
        var feed = Task.Run(() =>
        {
            try
            {
                ffmpeg.StandardInput.Write(bytes);
                ffmpeg.StandardInput.Close();
            }
            catch (IOException)
            {
                // ffmpeg stopped reading (a damaged image, or killed): its exit says why.
            }
        });
        byte[] pixels = Array.Empty<byte>();
        bool got;
        int w, h;
        try
        {
            got = new PpmStreamReader(ffmpeg.StandardOutput, source, maxPixels).Read(ref pixels, out w, out h);
        }
        catch (Exception e) when (e is EndOfStreamException or IOException)
        {
            got = false;
            w = h = 0;
        }
        int code = ffmpeg.WaitForExit();
        feed.Wait();
        if (!got)
        {
            // ffmpeg's first complaint is the telling one ("No JPEG data found in image"); the last is about its filters.
            string? first = ffmpeg.StderrLines.FirstOrDefault(l => !string.IsNullOrWhiteSpace(l));
            throw new MediaFormatException(source, code == 0 ? "holds no picture"
                : $"cannot be decoded as {ImageBytesFormats} ({(first is null ? ffmpeg.LastError() : FfmpegProcess.WithoutContext(first))})");
        }
        return new RgbImage(w, h, pixels.AsSpan(0, w * h * 3).ToArray());
    }

    // ffmpeg's demuxer for an image's magic bytes; null for anything else.
    private static string? ImageDemuxer(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith(PngReader.Signature)) return "png_pipe";
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])) return "jpeg_pipe";
        if (bytes.Length >= 12 && bytes.StartsWith("RIFF"u8) && bytes[8..12].SequenceEqual("WEBP"u8)) return "webp_pipe";
        if (bytes.Length >= 26 && bytes.StartsWith("BM"u8)) return "bmp_pipe";
        return null;
    }

    /// <summary>ffmpeg filter that scales a picture to cover <paramref name="width"/> x <paramref name="height"/> and cuts the centre: no bars, no distortion.</summary>
    public static string CoverFilter(int width, int height)
        => $"scale={width}:{height}:force_original_aspect_ratio=increase,crop={width}:{height},setsar=1";

    /// <summary>
    /// The first frame of any image (or video) ffmpeg reads, as RGB; a PNG (by <see cref="InputFile.KindExtension"/>)
    /// by MatteKit's own decoder, as every still that is read whole is (a plate, a dataset's background).
    /// </summary>
    /// <exception cref="MediaFormatException">It cannot be decoded; the message names the file.</exception>
    public static RgbImage ReadImage(string path)
    {
        if (InputFile.HasKindExtension(path, ".png")) return PngFile.ReadRgb(path);
        if (!File.Exists(path)) throw new MediaFormatException(path, "no such file");
        using var decoder = VideoDecoder.Open(path, maxFrames: 1);
        byte[] pixels = Array.Empty<byte>();
        if (!decoder.ReadFrame(ref pixels, out int width, out int height))
            throw new MediaFormatException(path, "holds no picture");
        return new RgbImage(width, height, pixels.AsSpan(0, width * height * 3).ToArray());
    }

    /// <summary>
    /// The first <paramref name="frames"/> frames of a video scaled to cover <paramref name="width"/> x
    /// <paramref name="height"/> (<see cref="CoverFilter"/>); a shorter video starts over.
    /// </summary>
    public static IEnumerable<byte[]> ReadCovering(string path, int width, int height, int frames)
    {
        if (!File.Exists(path)) throw new MediaFormatException(path, "no such file");
        using var decoder = VideoDecoder.Open(path, filter: CoverFilter(width, height), loop: true, maxFrames: frames);
        for (int i = 0; i < frames; i++)
        {
            var frame = new byte[width * height * 3];
            if (!decoder.ReadFrame(ref frame, out int w, out int h))
                throw new MediaFormatException(path, $"video ended after {i} frame(s)");
            if ((w, h) != (width, height)) throw new MediaFormatException(path, $"frame came out {w}x{h}, expected {width}x{height}");
            yield return frame;
        }
    }
}
