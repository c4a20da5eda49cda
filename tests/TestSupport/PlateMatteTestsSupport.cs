using MatteKit.Media;

namespace MatteKit.Tests.TestSupport;

/// <summary>Image helpers for plate-mode tests.</summary>
internal static class PlateMatteTestsSupport
{
    public static RgbImage Crop(RgbImage image, int x0, int y0, int w, int h)
    {
        var rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
            Array.Copy(image.Pixels, ((y0 + y) * image.Width + x0) * 3, rgb, y * w * 3, w * 3);
        return new RgbImage(w, h, rgb);
    }
}
