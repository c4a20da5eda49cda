namespace MatteKit.Compositing;

/// <summary>
/// A Gaussian-like blur of a whole RGB frame, for the <c>blur[:SIGMA]</c> background (the room behind the person
/// blurred instead of replaced, as video-call tools do). It runs once per output frame on the path that decides
/// latency, so it works at a reduced size: the frame is area-averaged by an integer factor (about sigma / 4), blurred
/// there by three box passes (whose variances add up to sigma's: Kovesi's "boxes for Gauss"), and upsampled
/// bilinearly. At 1280x720 with sigma 16 that is three running sums over 320x180 instead of 97-tap filters at full size.
/// Buffers are kept between frames: one instance per stream, not thread-safe.
/// </summary>
internal sealed class BackgroundBlur
{
    /// <summary>The default sigma, in pixels of the frame.</summary>
    public const double DefaultSigma = 16;

    /// <summary>The largest sigma accepted (a wider blur is a flat colour at any frame size).</summary>
    public const double MaxSigma = 500;

    private float[] _small = Array.Empty<float>();
    private float[] _scratch = Array.Empty<float>();
    private int[] _x0 = Array.Empty<int>();
    private float[] _fx = Array.Empty<float>();

    public BackgroundBlur(double sigma)
    {
        if (!(sigma > 0 && sigma <= MaxSigma)) throw new ArgumentOutOfRangeException(nameof(sigma), sigma, $"blur sigma must be in (0, {MaxSigma}]");
        Sigma = sigma;
    }

    public double Sigma { get; }

    /// <summary>The reduction factor for a sigma: the blur at reduced size keeps a sigma of about 4 pixels there.</summary>
    public static int Factor(double sigma) => Math.Clamp((int)Math.Floor(sigma / 4), 1, 32);

    /// <summary>Blurs <paramref name="rgb"/> (interleaved, width x height) into <paramref name="destination"/>.</summary>
    public void Apply(ReadOnlySpan<byte> rgb, int width, int height, Span<byte> destination)
    {
        int pixels = width * height;
        if (rgb.Length < pixels * 3 || destination.Length < pixels * 3) throw new ArgumentException("frame buffers are smaller than the frame");
        int f = Math.Min(Factor(Sigma), Math.Min(width, height));
        int sw = (width + f - 1) / f, sh = (height + f - 1) / f;
        if (_small.Length < sw * sh * 3)
        {
            _small = new float[sw * sh * 3];
            _scratch = new float[sw * sh * 3];
        }
        var small = _small.AsSpan(0, sw * sh * 3);
        var scratch = _scratch.AsSpan(0, sw * sh * 3);
        Reduce(rgb, width, height, f, sw, sh, small);
        // A box of width w has variance (w^2 - 1) / 12; three of them add up to sigma^2 at the reduced size.
        foreach (int box in BoxWidths(Sigma / f, 3))
        {
            int radius = box / 2;
            BoxRows(small, scratch, sw, sh, radius);
            BoxColumns(scratch, small, sw, sh, radius);
        }
        Enlarge(small, sw, sh, f, width, height, destination);
    }

    /// <summary>Odd box widths whose variances sum to <paramref name="sigma"/>^2 as closely as odd widths allow.</summary>
    internal static int[] BoxWidths(double sigma, int count)
    {
        double ideal = Math.Sqrt(12 * sigma * sigma / count + 1);
        int lower = (int)Math.Floor(ideal);
        if (lower % 2 == 0) lower--;
        lower = Math.Max(lower, 1);
        int upper = lower + 2;
        double m = Math.Round((12 * sigma * sigma - count * lower * lower - 4.0 * count * lower - 3.0 * count) / (-4.0 * lower - 4));
        var widths = new int[count];
        for (int i = 0; i < count; i++) widths[i] = i < m ? lower : upper;
        return widths;
    }

    private static void Reduce(ReadOnlySpan<byte> rgb, int width, int height, int f, int sw, int sh, Span<float> small)
    {
        small.Clear();
        for (int y = 0; y < height; y++)
        {
            int row = (y / f) * sw * 3;
            var line = rgb.Slice(y * width * 3, width * 3);
            for (int x = 0; x < width; x++)
            {
                int o = row + (x / f) * 3, i = 3 * x;
                small[o] += line[i];
                small[o + 1] += line[i + 1];
                small[o + 2] += line[i + 2];
            }
        }
        // Cells on the right and bottom edges may be partial: divide each by the pixels it holds.
        for (int cy = 0; cy < sh; cy++)
        {
            int rows = Math.Min(f, height - cy * f);
            for (int cx = 0; cx < sw; cx++)
            {
                float scale = 1f / (rows * Math.Min(f, width - cx * f));
                int o = (cy * sw + cx) * 3;
                small[o] *= scale;
                small[o + 1] *= scale;
                small[o + 2] *= scale;
            }
        }
    }

    // Running sums along each row, edges clamped (the border pixel repeats), so the cost does not depend on the radius.
    private static void BoxRows(ReadOnlySpan<float> source, Span<float> destination, int w, int h, int r)
    {
        float scale = 1f / (2 * r + 1);
        for (int y = 0; y < h; y++)
        {
            var src = source.Slice(y * w * 3, w * 3);
            var dst = destination.Slice(y * w * 3, w * 3);
            for (int c = 0; c < 3; c++)
            {
                float sum = 0;
                for (int k = -r; k <= r; k++) sum += src[Math.Clamp(k, 0, w - 1) * 3 + c];
                for (int x = 0; x < w; x++)
                {
                    dst[x * 3 + c] = sum * scale;
                    sum += src[Math.Min(x + r + 1, w - 1) * 3 + c] - src[Math.Max(x - r, 0) * 3 + c];
                }
            }
        }
    }

    private static void BoxColumns(ReadOnlySpan<float> source, Span<float> destination, int w, int h, int r)
    {
        float scale = 1f / (2 * r + 1);
        int stride = w * 3;
        for (int x = 0; x < stride; x++)
        {
            float sum = 0;
            for (int k = -r; k <= r; k++) sum += source[Math.Clamp(k, 0, h - 1) * stride + x];
            for (int y = 0; y < h; y++)
            {
                destination[y * stride + x] = sum * scale;
                sum += source[Math.Min(y + r + 1, h - 1) * stride + x] - source[Math.Max(y - r, 0) * stride + x];
            }
        }
    }

    // Bilinear with half-pixel centres: output pixel x sits at (x + 0.5) / f - 0.5 in the reduced image.
    private void Enlarge(ReadOnlySpan<float> small, int sw, int sh, int f, int width, int height, Span<byte> destination)
    {
        if (_x0.Length < width)
        {
            _x0 = new int[width];
            _fx = new float[width];
        }
        for (int x = 0; x < width; x++)
        {
            float sx = Math.Clamp((x + 0.5f) / f - 0.5f, 0, sw - 1);
            int x0 = Math.Min((int)sx, Math.Max(sw - 2, 0));
            _x0[x] = x0;
            _fx[x] = sw == 1 ? 0 : sx - x0;
        }
        int stride = sw * 3;
        for (int y = 0; y < height; y++)
        {
            float sy = Math.Clamp((y + 0.5f) / f - 0.5f, 0, sh - 1);
            int y0 = Math.Min((int)sy, Math.Max(sh - 2, 0));
            float fy = sh == 1 ? 0 : sy - y0;
            var top = small.Slice(y0 * stride, stride);
            var bottom = small.Slice(Math.Min(y0 + 1, sh - 1) * stride, stride);
            var line = destination.Slice(y * width * 3, width * 3);
            for (int x = 0; x < width; x++)
            {
                int a = _x0[x] * 3, b = Math.Min(_x0[x] + 1, sw - 1) * 3;
                float fx = _fx[x];
                for (int c = 0; c < 3; c++)
                {
                    float t = top[a + c] + (top[b + c] - top[a + c]) * fx;
                    float u = bottom[a + c] + (bottom[b + c] - bottom[a + c]) * fx;
                    line[3 * x + c] = (byte)Math.Clamp((int)(t + (u - t) * fy + 0.5f), 0, 255);
                }
            }
        }
    }
}
