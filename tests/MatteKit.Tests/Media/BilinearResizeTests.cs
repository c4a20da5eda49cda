using MatteKit.Media;

namespace MatteKit.Tests.Media;

/// <summary>
/// The plate resize and the background cover share one sampler; each must give exactly what its own formula gives,
/// written out here pixel by pixel (the scalar reference), at odd sizes, larger and smaller.
/// </summary>
public sealed class BilinearResizeTests
{
    [Theory]
    [InlineData(17, 9, 31, 23)]
    [InlineData(64, 48, 7, 5)]
    [InlineData(33, 65, 33, 65)]
    [InlineData(5, 3, 1, 1)]
    public void ResizeIsHalfPixelBilinear(int w, int h, int outW, int outH)
    {
        var image = Noise(w, h, seed: w * 31 + h);
        var got = BilinearResize.Rgb(image, outW, outH);
        Assert.Equal(Reference(image, outW, outH, x => (x + 0.5) * w / outW - 0.5, y => (y + 0.5) * h / outH - 0.5), got.Pixels);
    }

    [Theory]
    [InlineData(40, 30, 31, 23)]
    [InlineData(30, 40, 64, 36)]
    [InlineData(9, 9, 20, 11)]
    public void CoverScalesToFillAndCutsTheCentre(int w, int h, int outW, int outH)
    {
        var image = Noise(w, h, seed: w * 17 + h);
        double scale = Math.Max((double)outW / w, (double)outH / h);
        double left = (w - outW / scale) / 2, top = (h - outH / scale) / 2;
        var got = BilinearResize.Cover(image, outW, outH);
        Assert.Equal(Reference(image, outW, outH, x => left + (x + 0.5) / scale - 0.5, y => top + (y + 0.5) / scale - 0.5), got.Pixels);
    }

    private static RgbImage Noise(int w, int h, int seed)
    {
        var pixels = new byte[w * h * 3];
        new Random(seed).NextBytes(pixels);
        return new RgbImage(w, h, pixels);
    }

    private static byte[] Reference(RgbImage image, int width, int height, Func<int, double> sourceX, Func<int, double> sourceY)
    {
        var dst = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                double sx = Math.Clamp(sourceX(x), 0, image.Width - 1), sy = Math.Clamp(sourceY(y), 0, image.Height - 1);
                int x0 = (int)sx, y0 = (int)sy, x1 = Math.Min(x0 + 1, image.Width - 1), y1 = Math.Min(y0 + 1, image.Height - 1);
                double fx = sx - x0, fy = sy - y0;
                for (int c = 0; c < 3; c++)
                {
                    double Pixel(int px, int py) => image.Pixels[(py * image.Width + px) * 3 + c];
                    double value = (Pixel(x0, y0) * (1 - fx) + Pixel(x1, y0) * fx) * (1 - fy) + (Pixel(x0, y1) * (1 - fx) + Pixel(x1, y1) * fx) * fy;
                    dst[(y * width + x) * 3 + c] = (byte)Math.Clamp(Math.Round(value), 0, 255);
                }
            }
        return dst;
    }
}
