namespace MatteKit.Metrics;

/// <summary>
/// Foreground colour error where the true alpha is above 0 (elsewhere the foreground is undefined):
/// MSE <c>= 1e3 * mean over those pixels and their 3 channels of (pred - true)^2</c>, colours in [0, 1]; MAD the
/// same with <c>|pred - true|</c>. <c>evaluate_lr.py</c> reports both (fgr_mse, fgr_mad), <c>evaluate_hr.py</c>
/// only fgr_mse; the masks and scales agree. A frame whose true alpha is 0 everywhere has no such pixel: the
/// official scripts then take the mean of nothing (NaN), and so do we; <see cref="ClipScores"/> leaves such frames
/// out of the foreground means.
/// </summary>
internal static class ForegroundError
{
    public const double Scale = 1e3;

    /// <param name="predictedRgb">interleaved RGB, <c>3 * N</c> values</param>
    /// <param name="trueRgb">interleaved RGB, <c>3 * N</c> values</param>
    /// <param name="trueAlpha">N values; a pixel counts where it is above 0</param>
    public static (double Mse, double Mad) Compute(ReadOnlySpan<float> predictedRgb, ReadOnlySpan<float> trueRgb, ReadOnlySpan<float> trueAlpha)
    {
        MetricArguments.CheckSameLength(predictedRgb, trueRgb);
        if (trueRgb.Length != trueAlpha.Length * 3)
            throw new ArgumentException($"foreground has {trueRgb.Length} values, 3 x {trueAlpha.Length} alpha values expected");
        double squares = 0, absolutes = 0;
        long count = 0;
        for (int p = 0; p < trueAlpha.Length; p++)
        {
            if (!(trueAlpha[p] > 0)) continue;
            for (int c = 0; c < 3; c++)
            {
                double d = (double)predictedRgb[3 * p + c] - trueRgb[3 * p + c];
                squares += d * d;
                absolutes += Math.Abs(d);
            }
            count += 3;
        }
        if (count == 0) return (double.NaN, double.NaN);
        return (squares / count * Scale, absolutes / count * Scale);
    }
}
