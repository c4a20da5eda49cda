namespace MatteKit.Media;

/// <summary>
/// Point sampling of 8-bit images at fractional positions (pixel i's centre at coordinate i, indices clamped at the
/// borders), and an area reduction used before warping so that a large photo does not alias at a small frame.
/// </summary>
internal static class Resampler
{
    /// <summary>Keys' cubic convolution with a = -0.5 (Catmull-Rom); overshoot is clamped to [0, 255].</summary>
    public static void Bicubic(ReadOnlySpan<byte> image, int width, int height, int channels, double u, double v, Span<double> result)
    {
        int x0 = (int)Math.Floor(u), y0 = (int)Math.Floor(v);
        Span<double> wx = stackalloc double[4];
        Span<double> wy = stackalloc double[4];
        CubicWeights(u - x0, wx);
        CubicWeights(v - y0, wy);
        result[..channels].Clear();
        for (int j = 0; j < 4; j++)
        {
            int y = Math.Clamp(y0 - 1 + j, 0, height - 1);
            for (int i = 0; i < 4; i++)
            {
                int x = Math.Clamp(x0 - 1 + i, 0, width - 1);
                double w = wx[i] * wy[j];
                int p = (y * width + x) * channels;
                for (int c = 0; c < channels; c++) result[c] += w * image[p + c];
            }
        }
        for (int c = 0; c < channels; c++) result[c] = Math.Clamp(result[c], 0, 255);
    }

    public static double Bilinear(ReadOnlySpan<byte> plane, int width, int height, double u, double v)
    {
        int x0 = (int)Math.Floor(u), y0 = (int)Math.Floor(v);
        double fx = u - x0, fy = v - y0;
        int xa = Math.Clamp(x0, 0, width - 1), xb = Math.Clamp(x0 + 1, 0, width - 1);
        int ya = Math.Clamp(y0, 0, height - 1), yb = Math.Clamp(y0 + 1, 0, height - 1);
        double top = plane[ya * width + xa] * (1 - fx) + plane[ya * width + xb] * fx;
        double bottom = plane[yb * width + xa] * (1 - fx) + plane[yb * width + xb] * fx;
        return Math.Clamp(top * (1 - fy) + bottom * fy, 0, 255);
    }

    private static void CubicWeights(double t, Span<double> w)
    {
        const double a = -0.5;
        for (int i = 0; i < 4; i++)
        {
            double d = Math.Abs(t - (i - 1));
            w[i] = d <= 1 ? ((a + 2) * d - (a + 3)) * d * d + 1
                : d < 2 ? ((a * d - 5 * a) * d + 8 * a) * d - 4 * a
                : 0;
        }
    }

    /// <summary>Averages each <paramref name="factor"/> x <paramref name="factor"/> block (the last partial blocks too).</summary>
    public static byte[] ReduceByArea(ReadOnlySpan<byte> image, int width, int height, int channels, int factor,
        out int newWidth, out int newHeight)
    {
        newWidth = (width + factor - 1) / factor;
        newHeight = (height + factor - 1) / factor;
        var result = new byte[newWidth * newHeight * channels];
        var sum = new double[channels];
        for (int by = 0; by < newHeight; by++)
        for (int bx = 0; bx < newWidth; bx++)
        {
            Array.Clear(sum);
            int count = 0;
            for (int y = by * factor; y < Math.Min(height, (by + 1) * factor); y++)
            for (int x = bx * factor; x < Math.Min(width, (bx + 1) * factor); x++)
            {
                int p = (y * width + x) * channels;
                for (int c = 0; c < channels; c++) sum[c] += image[p + c];
                count++;
            }
            int q = (by * newWidth + bx) * channels;
            for (int c = 0; c < channels; c++) result[q + c] = (byte)Math.Round(sum[c] / count);
        }
        return result;
    }
}
