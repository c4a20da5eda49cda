namespace MatteKit.Live;

/// <summary>
/// The live path's working size for a CPU too slow for the frame at any network size: the frame is matted at half
/// its width and height (2x2 averages), and the alpha brought back to the frame's size bilinearly (pixel centres
/// aligned). The foreground is then the input's own colour (see <see cref="LiveRatioController"/>).
/// </summary>
internal static class HalfResolution
{
    public static (int Width, int Height) Size(int width, int height) => (Math.Max(1, width / 2), Math.Max(1, height / 2));

    /// <summary>RGB at half size: each pixel the mean of a 2x2 block (an odd last row or column is left out).</summary>
    public static void Reduce(ReadOnlySpan<byte> rgb, int width, int height, Span<byte> half)
    {
        var (hw, hh) = Size(width, height);
        int stride = width * 3;
        // hw = floor(width / 2), so 2x + 1 < width for every x < hw (and likewise for rows): no edge cases.
        for (int y = 0; y < hh; y++)
        {
            var top = rgb.Slice(2 * y * stride, stride);
            var bottom = rgb.Slice(Math.Min(2 * y + 1, height - 1) * stride, stride);
            var row = half.Slice(y * hw * 3, hw * 3);
            for (int x = 0, i = 0, o = 0; x < hw; x++, i += 6, o += 3)
            {
                row[o] = (byte)((top[i] + top[i + 3] + bottom[i] + bottom[i + 3] + 2) >> 2);
                row[o + 1] = (byte)((top[i + 1] + top[i + 4] + bottom[i + 1] + bottom[i + 4] + 2) >> 2);
                row[o + 2] = (byte)((top[i + 2] + top[i + 5] + bottom[i + 2] + bottom[i + 5] + 2) >> 2);
            }
        }
    }

    /// <summary>One channel from half size back to <paramref name="width"/> x <paramref name="height"/>, bilinearly.</summary>
    public static void Enlarge(ReadOnlySpan<byte> half, int width, int height, Span<byte> full)
    {
        var (hw, hh) = Size(width, height);
        // Per column once: the two source columns and the weight of the second, in 1/256.
        Span<int> x0s = width <= 8192 ? stackalloc int[width] : new int[width];
        Span<int> wxs = width <= 8192 ? stackalloc int[width] : new int[width];
        for (int x = 0; x < width; x++)
        {
            double sx = Math.Clamp((x + 0.5) * hw / width - 0.5, 0, hw - 1);
            x0s[x] = Math.Min((int)sx, hw - 2 < 0 ? 0 : hw - 2);
            wxs[x] = hw == 1 ? 0 : (int)((sx - x0s[x]) * 256);
        }
        int step = hw == 1 ? 0 : 1;
        for (int y = 0; y < height; y++)
        {
            double sy = Math.Clamp((y + 0.5) * hh / height - 0.5, 0, hh - 1);
            int y0 = (int)sy, y1 = Math.Min(y0 + 1, hh - 1);
            int wy = (int)((sy - y0) * 256);
            var top = half.Slice(y0 * hw, hw);
            var bottom = half.Slice(y1 * hw, hw);
            var row = full.Slice(y * width, width);
            for (int x = 0; x < width; x++)
            {
                int x0 = x0s[x], wx = wxs[x];
                int t = top[x0] * (256 - wx) + top[x0 + step] * wx;
                int b = bottom[x0] * (256 - wx) + bottom[x0 + step] * wx;
                row[x] = (byte)((t * (256 - wy) + b * wy + (1 << 15)) >> 16);
            }
        }
    }
}
