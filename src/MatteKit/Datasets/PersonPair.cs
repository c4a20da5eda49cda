using MatteKit.Media;

namespace MatteKit.Datasets;

/// <summary>
/// Two people side by side with their ground truth known separately, from two <c>compose-dataset</c> clips of the
/// same size: each clip's foreground and alpha are scaled down (<see cref="Scale"/>) and placed with their person's
/// centre at a quarter and three quarters of the width, feet where they were, over the first clip's background; the
/// left person is in front. Truth: the left person's alpha, and the right person's as visible behind it.
/// </summary>
internal static class PersonPair
{
    public const double Scale = 0.6;

    public sealed record Frame(int Width, int Height, byte[] Rgb, byte[] LeftAlpha, byte[] RightAlpha);

    public static List<Frame> Build(string leftClip, string rightClip, int maxFrames)
    {
        var names = ImageSequence.ListPngFiles(Path.Combine(leftClip, "pha")).Select(f => Path.GetFileName(f)).Take(maxFrames).ToList();
        var frames = new List<Frame>(names.Count);
        foreach (var name in names)
        {
            var background = PngFile.ReadRgb(Path.Combine(leftClip, "bgr", name));
            int w = background.Width, h = background.Height;
            var (leftFg, leftA) = Place(leftClip, name, w, h, 0.25);
            var (rightFg, rightA) = Place(rightClip, name, w, h, 0.75);
            var rgb = new byte[w * h * 3];
            var visibleRight = new byte[w * h];
            for (int i = 0; i < w * h; i++)
            {
                float a = leftA[i] / 255f, b = rightA[i] / 255f;
                visibleRight[i] = (byte)Math.Round(b * (1 - a) * 255);
                for (int c = 0; c < 3; c++)
                {
                    float behind = rightFg[3 * i + c] * b + background.Pixels[3 * i + c] * (1 - b);
                    rgb[3 * i + c] = (byte)Math.Round(leftFg[3 * i + c] * a + behind * (1 - a));
                }
            }
            frames.Add(new Frame(w, h, rgb, leftA, visibleRight));
        }
        return frames;
    }

    /// <summary>One clip's person scaled by <see cref="Scale"/> about its feet, moved so its centre is at <paramref name="centreX"/> of the width.</summary>
    private static (byte[] Rgb, byte[] Alpha) Place(string clip, string name, int w, int h, double centreX)
    {
        var fgr = PngFile.ReadRgb(Path.Combine(clip, "fgr", name));
        var pha = PngFile.ReadGray(Path.Combine(clip, "pha", name));
        if (fgr.Width != w || pha.Width != w || fgr.Height != h || pha.Height != h)
            throw new ArgumentException($"{clip}: frames of {fgr.Width}x{fgr.Height}, the other clip's are {w}x{h}");
        int left = w, right = -1, bottom = -1;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                if (pha.Pixels[y * w + x] > 0)
                {
                    left = Math.Min(left, x);
                    right = Math.Max(right, x);
                    bottom = Math.Max(bottom, y);
                }
        var rgb = new byte[w * h * 3];
        var alpha = new byte[w * h];
        if (right < 0) return (rgb, alpha);
        double anchorX = (left + right + 1) / 2.0, anchorY = bottom + 1;
        double targetX = centreX * w;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                // Inverse map: this pixel's source position, bilinear.
                double sx = anchorX + (x + 0.5 - targetX) / Scale - 0.5, sy = anchorY + (y + 0.5 - anchorY) / Scale - 0.5;
                if (sx < 0 || sy < 0 || sx > w - 1 || sy > h - 1) continue;
                int x0 = (int)sx, y0 = (int)sy, x1 = Math.Min(x0 + 1, w - 1), y1 = Math.Min(y0 + 1, h - 1);
                double fx = sx - x0, fy = sy - y0;
                double Sample(byte[] plane, int channels, int c) =>
                    (plane[(y0 * w + x0) * channels + c] * (1 - fx) + plane[(y0 * w + x1) * channels + c] * fx) * (1 - fy)
                    + (plane[(y1 * w + x0) * channels + c] * (1 - fx) + plane[(y1 * w + x1) * channels + c] * fx) * fy;
                alpha[y * w + x] = (byte)Math.Round(Sample(pha.Pixels, 1, 0));
                for (int c = 0; c < 3; c++) rgb[3 * (y * w + x) + c] = (byte)Math.Round(Sample(fgr.Pixels, 3, c));
            }
        return (rgb, alpha);
    }
}
