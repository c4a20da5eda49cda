namespace MatteKit.Media;

/// <summary>Resampling of 8-bit RGB images outside the network (background plates of another size, backgrounds).</summary>
internal static class BilinearResize
{
    /// <summary>Bilinear resampling with half-pixel centres (no antialiasing: plates are near the frame size).</summary>
    public static RgbImage Rgb(RgbImage image, int width, int height)
        => Sample(image, width, height, x => (x + 0.5) * image.Width / width - 0.5, y => (y + 0.5) * image.Height / height - 0.5);

    /// <summary>
    /// The image scaled to cover <paramref name="width"/> x <paramref name="height"/> and its centre cut out (no bars,
    /// no distortion), as ffmpeg's cover filter does for file backgrounds. A much larger image is first averaged down
    /// by whole blocks, so that bilinear sampling does not skip most of its pixels.
    /// </summary>
    public static RgbImage Cover(RgbImage image, int width, int height)
    {
        double scale = Math.Max((double)width / image.Width, (double)height / image.Height);
        int factor = scale < 0.5 ? (int)Math.Floor(1 / scale) : 1;
        if (factor > 1)
        {
            var reduced = Resampler.ReduceByArea(image.Pixels, image.Width, image.Height, 3, factor, out int rw, out int rh);
            image = new RgbImage(rw, rh, reduced);
            scale = Math.Max((double)width / image.Width, (double)height / image.Height);
        }
        // The source window the output covers: width / scale by height / scale, centred.
        double left = (image.Width - width / scale) / 2, top = (image.Height - height / scale) / 2;
        return Sample(image, width, height, x => left + (x + 0.5) / scale - 0.5, y => top + (y + 0.5) / scale - 0.5);
    }

    /// <summary>
    /// Output pixel (x, y) is the bilinear sample of <paramref name="image"/> at (<paramref name="sourceX"/>(x),
    /// <paramref name="sourceY"/>(y)), clamped to the image: past the last pixel both taps are that pixel.
    /// </summary>
    private static RgbImage Sample(RgbImage image, int width, int height, Func<int, double> sourceX, Func<int, double> sourceY)
    {
        var (x0, x1, fx) = Taps(width, image.Width, sourceX);
        var (y0, y1, fy) = Taps(height, image.Height, sourceY);
        var src = image.Pixels;
        var dst = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
        {
            int top = y0[y] * image.Width, bottom = y1[y] * image.Width;
            for (int x = 0; x < width; x++)
                for (int c = 0; c < 3; c++)
                {
                    double upper = src[(top + x0[x]) * 3 + c] * (1 - fx[x]) + src[(top + x1[x]) * 3 + c] * fx[x];
                    double lower = src[(bottom + x0[x]) * 3 + c] * (1 - fx[x]) + src[(bottom + x1[x]) * 3 + c] * fx[x];
                    dst[(y * width + x) * 3 + c] = (byte)Math.Clamp(Math.Round(upper * (1 - fy[y]) + lower * fy[y]), 0, 255);
                }
        }
        return new RgbImage(width, height, dst);
    }

    private static (int[] First, int[] Second, double[] Weight) Taps(int count, int sourceCount, Func<int, double> source)
    {
        var first = new int[count];
        var second = new int[count];
        var weight = new double[count];
        for (int i = 0; i < count; i++)
        {
            double s = Math.Clamp(source(i), 0, sourceCount - 1);
            first[i] = (int)s;
            second[i] = Math.Min(first[i] + 1, sourceCount - 1);
            weight[i] = s - first[i];
        }
        return (first, second, weight);
    }
}
