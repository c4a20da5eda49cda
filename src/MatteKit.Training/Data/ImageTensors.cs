using MatteKit.Media;
using static TorchSharp.torch;

namespace MatteKit.Training.Data;

/// <summary>8-bit images to float tensors in 0..1 (divided by 255, as the official loaders do) and back.</summary>
internal static class ImageTensors
{
    /// <summary><c>[3, H, W]</c>.</summary>
    public static Tensor FromRgb(RgbImage image) =>
        tensor(image.Pixels, dtype: ScalarType.Byte).reshape(image.Height, image.Width, 3).permute(2, 0, 1).to(ScalarType.Float32).div_(255);

    /// <summary><c>[1, H, W]</c>.</summary>
    public static Tensor FromGray(GrayImage image) =>
        tensor(image.Pixels, dtype: ScalarType.Byte).reshape(1, image.Height, image.Width).to(ScalarType.Float32).div_(255);

    /// <summary>Interleaved bytes of a <c>[C, H, W]</c> tensor in 0..1 (rounded, saturated): RGB or grey.</summary>
    public static byte[] ToInterleavedBytes(Tensor chw) =>
        chw.detach().clamp(0, 1).mul(255).round().to(ScalarType.Byte).permute(1, 2, 0).contiguous().data<byte>().ToArray();

    /// <summary>
    /// An integer area-reduction factor that keeps the image at least <paramref name="keep"/> times the
    /// training size on both sides (memory stays bounded by what training can use).
    /// </summary>
    public static int ReductionFor(int width, int height, int trainWidth, int trainHeight, double keep = 1.5) =>
        Math.Max(1, (int)Math.Floor(Math.Min(width / (keep * trainWidth), height / (keep * trainHeight))));

    public static RgbImage Reduce(RgbImage image, int factor)
    {
        if (factor < 2) return image;
        var pixels = Resampler.ReduceByArea(image.Pixels, image.Width, image.Height, 3, factor, out int w, out int h);
        return new RgbImage(w, h, pixels);
    }

    public static GrayImage Reduce(GrayImage image, int factor)
    {
        if (factor < 2) return image;
        var pixels = Resampler.ReduceByArea(image.Pixels, image.Width, image.Height, 1, factor, out int w, out int h);
        return new GrayImage(w, h, pixels);
    }
}
