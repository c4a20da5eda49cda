namespace MatteKit.Compositing;

/// <summary>
/// The foreground colour re-estimated from the frame and its final alpha, as fast multi-level foreground estimation
/// does it (Germer, Uelwer, Conrad and Harmeling, 2020): at each level, from a 1x1 image up to the frame's size, each
/// pixel's foreground F and background B solve the 2x2 least-squares system of the compositing equation
/// <c>alpha F + (1 - alpha) B = I</c> with a smoothness term towards its four neighbours, weighted more where alpha
/// changes; each level starts from the one below, enlarged. Where alpha is soft (hair, motion blur) the old
/// background's colour then goes into B instead of staying in F, so a new background shows no halo of it.
/// </summary>
internal sealed class ForegroundEstimation
{
    /// <summary>The regularisation: a floor, and the weight of alpha's change between neighbours (the paper's epsilon_r and omega).</summary>
    private const float Floor = 5e-3f, AlphaWeight = 1f;
    /// <summary>Iterations on levels up to <see cref="SmallSide"/> pixels a side, and above (the paper's defaults).</summary>
    private const int SmallIterations = 10, LargeIterations = 2, SmallSide = 32;

    private float[] _image = [], _alpha = [], _f = [], _b = [], _f2 = [], _b2 = [], _fullAlpha = [];

    /// <summary>Writes the estimated foreground of <paramref name="rgb24"/> under <paramref name="alpha"/> into <paramref name="foreground"/> (RGB, 8 bits).</summary>
    public void Estimate(ReadOnlySpan<byte> rgb24, ReadOnlySpan<byte> alpha, int width, int height, Span<byte> foreground)
    {
        int pixels = width * height;
        if (foreground.Length < pixels * 3 || alpha.Length < pixels) throw new ArgumentException($"buffers too small for {width}x{height}");
        Grow(ref _fullAlpha, pixels);
        for (int i = 0; i < pixels; i++) _fullAlpha[i] = alpha[i] / 255f;
        Solve(rgb24, _fullAlpha, width, height);
        for (int i = 0; i < pixels * 3; i++) foreground[i] = (byte)Math.Clamp(MathF.Round(_f[i] * 255), 0, 255);
    }

    /// <summary>
    /// As <see cref="Estimate(ReadOnlySpan{byte}, ReadOnlySpan{byte}, int, int, Span{byte})"/> from an unrounded alpha
    /// (0..1) into an unrounded foreground (interleaved RGB, 0..1), for deep outputs.
    /// </summary>
    public void Estimate(ReadOnlySpan<byte> rgb24, ReadOnlySpan<float> alpha, int width, int height, Span<float> foreground)
    {
        int pixels = width * height;
        if (foreground.Length < pixels * 3) throw new ArgumentException($"buffers too small for {width}x{height}");
        Solve(rgb24, alpha, width, height);
        _f.AsSpan(0, pixels * 3).CopyTo(foreground);
    }

    // The estimate into _f: interleaved RGB, 0..1.
    private void Solve(ReadOnlySpan<byte> rgb24, ReadOnlySpan<float> alpha, int width, int height)
    {
        int pixels = width * height;
        if (rgb24.Length < pixels * 3 || alpha.Length < pixels)
            throw new ArgumentException($"buffers too small for {width}x{height}");
        Grow(ref _image, pixels * 3);
        Grow(ref _alpha, pixels);
        Grow(ref _f, pixels * 3);
        Grow(ref _b, pixels * 3);
        Grow(ref _f2, pixels * 3);
        Grow(ref _b2, pixels * 3);
        // Start from the mean colour at 1x1; each level's F and B are the level below's, enlarged (nearest).
        int levels = (int)Math.Ceiling(Math.Log2(Math.Max(width, height)));
        int w0 = 1, h0 = 1;
        var mean = new float[3];
        for (int i = 0; i < pixels; i++) for (int c = 0; c < 3; c++) mean[c] += rgb24[3 * i + c] / 255f;
        for (int c = 0; c < 3; c++) _f[c] = _b[c] = mean[c] / pixels;
        for (int level = 0; level <= levels; level++)
        {
            int w = levels == 0 ? width : (int)Math.Round(Math.Pow(width, level / (double)levels));
            int h = levels == 0 ? height : (int)Math.Round(Math.Pow(height, level / (double)levels));
            w = Math.Clamp(w, 1, width);
            h = Math.Clamp(h, 1, height);
            Sample(rgb24, alpha, width, height, w, h);
            Enlarge(_f, _f2, w0, h0, w, h);
            Enlarge(_b, _b2, w0, h0, w, h);
            (_f, _f2, _b, _b2) = (_f2, _f, _b2, _b);
            int iterations = w <= SmallSide && h <= SmallSide ? SmallIterations : LargeIterations;
            for (int k = 0; k < iterations; k++) Iterate(w, h);
            (w0, h0) = (w, h);
        }
    }

    private static void Grow(ref float[] buffer, int length)
    {
        if (buffer.Length < length) buffer = new float[length];
    }

    /// <summary>The frame and alpha at w x h, each level pixel the frame pixel under its centre.</summary>
    private void Sample(ReadOnlySpan<byte> rgb24, ReadOnlySpan<float> alpha, int width, int height, int w, int h)
    {
        for (int y = 0; y < h; y++)
        {
            int sy = Math.Min(height - 1, (int)((y + 0.5) * height / h));
            for (int x = 0; x < w; x++)
            {
                int sx = Math.Min(width - 1, (int)((x + 0.5) * width / w)), s = sy * width + sx, d = y * w + x;
                _alpha[d] = alpha[s];
                for (int c = 0; c < 3; c++) _image[3 * d + c] = rgb24[3 * s + c] / 255f;
            }
        }
    }

    /// <summary><paramref name="from"/> (w0 x h0, RGB) enlarged to w x h into <paramref name="to"/>, nearest.</summary>
    private static void Enlarge(float[] from, float[] to, int w0, int h0, int w, int h)
    {
        for (int y = 0; y < h; y++)
        {
            int sy = Math.Min(h0 - 1, (int)((y + 0.5) * h0 / h));
            for (int x = 0; x < w; x++)
            {
                int sx = Math.Min(w0 - 1, (int)((x + 0.5) * w0 / w)), s = 3 * (sy * w0 + sx), d = 3 * (y * w + x);
                to[d] = from[s];
                to[d + 1] = from[s + 1];
                to[d + 2] = from[s + 2];
            }
        }
    }

    // One sweep in place (each pixel uses its neighbours' newest values): per pixel and channel, the 2x2 system
    // [a^2 + W, a(1-a); a(1-a), (1-a)^2 + W] [F; B] = [a I + sum w F_j; (1-a) I + sum w B_j], W = sum w.
    private void Iterate(int w, int h)
    {
        Span<int> near = stackalloc int[4];
        Span<float> weight = stackalloc float[4];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x, count = 0;
                if (x > 0) near[count++] = i - 1;
                if (x < w - 1) near[count++] = i + 1;
                if (y > 0) near[count++] = i - w;
                if (y < h - 1) near[count++] = i + w;
                float a = _alpha[i], weights = 0;
                for (int k = 0; k < count; k++) weights += weight[k] = Floor + AlphaWeight * MathF.Abs(a - _alpha[near[k]]);
                float a00 = a * a + weights, a01 = a * (1 - a), a11 = (1 - a) * (1 - a) + weights;
                float determinant = a00 * a11 - a01 * a01, inverse = 1 / determinant;
                for (int c = 0; c < 3; c++)
                {
                    int p = 3 * i + c;
                    if (determinant < 1e-9f)
                    {
                        // No neighbour (a 1x1 level) and alpha 0 or 1: the one colour seen is both.
                        _f[p] = _b[p] = _image[p];
                        continue;
                    }
                    float fs = 0, bs = 0;
                    for (int k = 0; k < count; k++)
                    {
                        fs += weight[k] * _f[3 * near[k] + c];
                        bs += weight[k] * _b[3 * near[k] + c];
                    }
                    float r0 = a * _image[p] + fs, r1 = (1 - a) * _image[p] + bs;
                    _f[p] = Math.Clamp((a11 * r0 - a01 * r1) * inverse, 0, 1);
                    _b[p] = Math.Clamp((a00 * r1 - a01 * r0) * inverse, 0, 1);
                }
            }
    }
}
