namespace MatteKit.Media.Ffmpeg;

/// <summary>Whole pictures through <see cref="VideoDecoder"/>: one still image, or frames scaled to cover a size.</summary>
internal static class PictureReader
{
    /// <summary>ffmpeg filter that scales a picture to cover <paramref name="width"/> x <paramref name="height"/> and cuts the centre: no bars, no distortion.</summary>
    public static string CoverFilter(int width, int height)
        => $"scale={width}:{height}:force_original_aspect_ratio=increase,crop={width}:{height},setsar=1";

    /// <summary>The first frame of any image (or video) ffmpeg reads, as RGB.</summary>
    /// <exception cref="MediaFormatException">It cannot be decoded; the message names the file.</exception>
    public static RgbImage ReadImage(string path)
    {
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
