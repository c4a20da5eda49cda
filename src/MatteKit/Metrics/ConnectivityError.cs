namespace MatteKit.Metrics;

/// <summary>
/// Connectivity error of alpha (Rhemann et al. 2009, as <c>evaluate_lr.py</c> computes it; <c>evaluate_hr.py</c>
/// does not compute it at all). With thresholds <c>t_i = 0.1 i</c>, i = 0..10:
/// for i = 1..10, Ω_i is the largest 4-connected component of <c>(true ≥ t_i) ∧ (pred ≥ t_i)</c>; each pixel's
/// level <c>l</c> is <c>t_{i-1}</c> for the first i whose Ω_i does not contain it, and 1 if every Ω_i does.
/// Then <c>d = a - l</c>, <c>φ(a) = 1 - d</c> where <c>d ≥ 0.15</c> and 1 elsewhere, and
/// <c>Conn = sum over pixels of |φ(true) - φ(pred)| / 1e3</c>.
/// <para>
/// Like the script, the comparisons run in single precision (alpha as float32 against float32 thresholds), which
/// for 8-bit alpha is exact: <c>k/255 ≥ i/10</c> holds exactly when it does for the rationals. When two largest
/// components have the same size the one met first in raster order wins (OpenCV's labels follow that order and the
/// script takes the first maximum).
/// </para>
/// </summary>
internal static class ConnectivityError
{
    public const double Scale = 1e-3;
    private const int Steps = 10;

    public static double Compute(ReadOnlySpan<float> predicted, ReadOnlySpan<float> truth, int width, int height)
    {
        MetricArguments.CheckPlane(predicted, width, height, "prediction");
        MetricArguments.CheckPlane(truth, width, height, "ground truth");
        int n = predicted.Length;
        var level = new float[n];
        Array.Fill(level, -1f);
        var inside = new bool[n];
        var largest = new bool[n];
        var labeler = new LargestComponent(width, height);
        for (int i = 1; i <= Steps; i++)
        {
            float threshold = (float)(i * 0.1);
            for (int p = 0; p < n; p++) inside[p] = truth[p] >= threshold && predicted[p] >= threshold;
            labeler.Find(inside, largest);
            float below = (float)((i - 1) * 0.1);
            for (int p = 0; p < n; p++)
                if (level[p] == -1f && !largest[p]) level[p] = below;
        }
        double sum = 0;
        for (int p = 0; p < n; p++)
        {
            float l = level[p] == -1f ? 1f : level[p];
            sum += Math.Abs(Phi(truth[p], l) - Phi(predicted[p], l));
        }
        return sum * Scale;
    }

    private static float Phi(float alpha, float level)
    {
        float d = alpha - level;
        return d >= 0.15f ? 1f - d : 1f;
    }
}
