namespace MatteKit.Tests.TestSupport;

/// <summary>Deterministic RGB frames (a gradient with a moving disc) for tests that need no shared files.</summary>
public static class SyntheticFrames
{
    public static byte[] Rgb24(int width, int height, int frameIndex)
    {
        var rgb = new byte[width * height * 3];
        double cx = width * (0.3 + 0.05 * frameIndex), cy = height * 0.5, r = Math.Max(1, Math.Min(width, height) * 0.3);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int p = (y * width + x) * 3;
                bool inside = (x - cx) * (x - cx) + (y - cy) * (y - cy) < r * r;
                rgb[p] = (byte)(inside ? 230 : 40 + 150 * x / Math.Max(1, width - 1));
                rgb[p + 1] = (byte)(inside ? 180 : 90 + 100 * y / Math.Max(1, height - 1));
                rgb[p + 2] = (byte)(inside ? 150 : (x * 7 + y * 13 + frameIndex * 5) % 256);
            }
        return rgb;
    }
}
