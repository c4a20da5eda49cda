using MatteKit.Media;
using MatteKit.Media.Ffmpeg;

namespace MatteKit.Datasets;

/// <summary>
/// The background layer of a composed clip: frame t of a video (scaled to cover the frame, centre-cropped), or a
/// moving crop of a still (the camera pans and zooms as <see cref="ClipMotion"/> says), sampled bicubically after an
/// area reduction that keeps the sampling step below two source pixels.
/// </summary>
internal static class BackgroundFrames
{
    public static readonly string[] VideoExtensions = [".mp4", ".mkv", ".mov", ".avi", ".webm", ".m4v"];
    public static readonly string[] ImageExtensions = [".png", ".jpg", ".jpeg", ".bmp", ".webp"];

    /// <summary>By its extension (<see cref="InputFile.KindExtension"/>: <c>"b.mp4 "</c> is a video).</summary>
    public static bool IsVideo(string path) => VideoExtensions.Contains(InputFile.KindExtension(path).ToLowerInvariant());

    /// <summary>By its extension, as <see cref="IsVideo"/>.</summary>
    public static bool IsImage(string path) => ImageExtensions.Contains(InputFile.KindExtension(path).ToLowerInvariant());

    public static IEnumerable<byte[]> Generate(string path, int width, int height, int frames, ClipMotion motion)
    {
        InputFile.RequireRegular(path, "a background image or video");
        return IsVideo(path) ? PictureReader.ReadCovering(path, width, height, frames) : FromStill(path, width, height, frames, motion);
    }

    private static IEnumerable<byte[]> FromStill(string path, int width, int height, int frames, ClipMotion motion)
    {
        var still = ReadImage(path);
        int sw = still.Width, sh = still.Height;
        var pixels = still.Pixels;
        // The widest crop of the output's aspect that leaves room for the zoom.
        double baseWidth = Math.Min(sw, sh * (double)width / height) / (1 + motion.Zoom);
        int factor = (int)Math.Floor(baseWidth / (1 + motion.Zoom) / width);
        double unit = 1;
        if (factor >= 2)
        {
            pixels = Resampler.ReduceByArea(pixels, sw, sh, 3, factor, out sw, out sh);
            unit = factor;
        }
        double cropWidth0 = baseWidth / unit, cropHeight0 = cropWidth0 * height / width;
        var sample = new double[3];
        for (int t = 0; t < frames; t++)
        {
            double zoom = motion.CameraZoom(t);
            double cropWidth = cropWidth0 / zoom, cropHeight = cropHeight0 / zoom;
            var (ox, oy) = motion.CameraOffset(t);
            double cx = sw / 2.0 + ox * (sw - cropWidth0) / 2, cy = sh / 2.0 + oy * (sh - cropHeight0) / 2;
            double step = cropWidth / width;
            var frame = new byte[width * height * 3];
            for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                // Continuous coordinates (pixel edges at integers), then pixel-centre indices for the sampler.
                double u = cx + (x + 0.5 - width / 2.0) * step - 0.5;
                double v = cy + (y + 0.5 - height / 2.0) * step - 0.5;
                Resampler.Bicubic(pixels, sw, sh, 3, u, v, sample);
                int p = (y * width + x) * 3;
                for (int c = 0; c < 3; c++) frame[p + c] = (byte)Math.Round(sample[c]);
            }
            yield return frame;
        }
    }

    /// <summary>A still: PNG by MatteKit's reader, anything else through ffmpeg; either way only a regular file.</summary>
    public static RgbImage ReadImage(string path)
    {
        InputFile.RequireRegular(path, "an image");
        return PictureReader.ReadImage(path);
    }
}
