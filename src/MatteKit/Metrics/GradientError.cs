namespace MatteKit.Metrics;

/// <summary>
/// Gradient error of alpha (Rhemann et al. 2009, as the RVM evaluation reports it):
/// <c>Grad = sum over pixels of (|∇G(true)| - |∇G(pred)|)^2 / 1e3</c>, where <c>∇G</c> correlates the image, with
/// replicated borders, with the first-order Gaussian derivative kernels of σ = 1.4:
/// <c>Kx[i, j] = g(i - h) * g'(j - h)</c> (i the row), <c>g(x) = exp(-x²/2σ²) / (σ√(2π))</c>,
/// <c>g'(x) = -x g(x) / σ²</c>, half size <c>h = ceil(σ √(-2 ln(√(2π) σ ε)))</c> with ε = 0.01 (h = 4, 9 taps),
/// Kx divided by its L2 norm, <c>Ky = Kxᵀ</c>, and <c>|∇G| = sqrt((Kx ⋆ a)² + (Ky ⋆ a)²)</c>.
/// <para>
/// Where the official scripts differ: <c>evaluate_lr.py</c> first min-max normalises each of pred and true to
/// [0, 1] (OpenCV <c>NORM_MINMAX</c>: a constant image becomes all 0); <c>evaluate_hr.py</c> does not. We follow
/// <c>evaluate_lr.py</c> by default (<c>minMaxNormalize</c> = true), because 512x288 is the setting our
/// end-to-end tests and shared clips use and that script is the one that also defines Conn; pass false for the HR
/// definition. The two agree whenever both mattes span exactly [0, 1]. We compute in double; the LR script filters
/// in float32, which moves the result in about the sixth significant digit.
/// </para>
/// </summary>
internal static class GradientError
{
    public const double Sigma = 1.4;
    public const double Scale = 1e-3;

    /// <summary>C's DBL_EPSILON (not .NET's double.Epsilon, the smallest subnormal).</summary>
    private const double DblEpsilon = 2.220446049250313e-16;

    private static readonly (double[] Smooth, double[] Derivative) Kernels = MakeKernels(Sigma, 1e-2);

    public static double Compute(ReadOnlySpan<float> predicted, ReadOnlySpan<float> truth, int width, int height,
        bool minMaxNormalize = true)
    {
        MetricArguments.CheckPlane(predicted, width, height, "prediction");
        MetricArguments.CheckPlane(truth, width, height, "ground truth");
        var p = GradientMagnitude(predicted, width, height, minMaxNormalize);
        var t = GradientMagnitude(truth, width, height, minMaxNormalize);
        double sum = 0;
        for (int i = 0; i < p.Length; i++)
        {
            double d = t[i] - p[i];
            sum += d * d;
        }
        return sum * Scale;
    }

    /// <summary>|∇G| of an image; internal so tests can check the kernel on simple images.</summary>
    internal static double[] GradientMagnitude(ReadOnlySpan<float> image, int width, int height, bool minMaxNormalize)
    {
        var a = new double[image.Length];
        double min = double.MaxValue, max = double.MinValue;
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = image[i];
            min = Math.Min(min, a[i]);
            max = Math.Max(max, a[i]);
        }
        if (minMaxNormalize)
        {
            // OpenCV maps a constant image (range below DBL_EPSILON) to the lower bound, 0.
            double scale = max - min > DblEpsilon ? 1.0 / (max - min) : 0.0;
            for (int i = 0; i < a.Length; i++) a[i] = (a[i] - min) * scale;
        }
        // Kx = g(row) g'(col) and Ky = its transpose are separable, and clamping a row or a column index is
        // independent of the other axis, so two 1-D passes per direction give exactly the 2-D correlation.
        var (g, dg) = Kernels;
        var gx = Correlate(Correlate(a, width, height, dg, alongRows: true), width, height, g, alongRows: false);
        var gy = Correlate(Correlate(a, width, height, g, alongRows: true), width, height, dg, alongRows: false);
        for (int i = 0; i < gx.Length; i++) gx[i] = Math.Sqrt(gx[i] * gx[i] + gy[i] * gy[i]);
        return gx;
    }

    /// <summary>1-D correlation along x (<paramref name="alongRows"/>) or along y, replicated borders.</summary>
    private static double[] Correlate(double[] src, int width, int height, double[] kernel, bool alongRows)
    {
        int h = kernel.Length / 2;
        var dst = new double[src.Length];
        for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
        {
            double s = 0;
            for (int k = 0; k < kernel.Length; k++)
            {
                int sx = alongRows ? Math.Clamp(x + k - h, 0, width - 1) : x;
                int sy = alongRows ? y : Math.Clamp(y + k - h, 0, height - 1);
                s += kernel[k] * src[sy * width + sx];
            }
            dst[y * width + x] = s;
        }
        return dst;
    }

    /// <summary>The 1-D factors of Kx, each divided by its L2 norm (so Kx = g ⊗ g' has L2 norm 1).</summary>
    internal static (double[] Smooth, double[] Derivative) MakeKernels(double sigma, double epsilon)
    {
        int half = (int)Math.Ceiling(sigma * Math.Sqrt(-2 * Math.Log(Math.Sqrt(2 * Math.PI) * sigma * epsilon)));
        var g = new double[2 * half + 1];
        var dg = new double[2 * half + 1];
        for (int i = 0; i < g.Length; i++)
        {
            double x = i - half;
            g[i] = Math.Exp(-x * x / (2 * sigma * sigma)) / (sigma * Math.Sqrt(2 * Math.PI));
            dg[i] = -x * g[i] / (sigma * sigma);
        }
        Normalize(g);
        Normalize(dg);
        return (g, dg);
    }

    private static void Normalize(double[] v)
    {
        double norm = Math.Sqrt(v.Sum(x => x * x));
        for (int i = 0; i < v.Length; i++) v[i] /= norm;
    }
}
