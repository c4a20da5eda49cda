namespace MatteKit.Metrics;

/// <summary>
/// MAD of alpha, as the RVM evaluation reports it: <c>1e3 * mean(|pred - true|)</c> over every pixel, alpha in [0, 1].
/// Both official scripts (<c>evaluate_lr.py</c>, <c>evaluate_hr.py</c>) define it the same way.
/// </summary>
internal static class MeanAbsoluteDifference
{
    public const double Scale = 1e3;

    public static double Compute(ReadOnlySpan<float> predicted, ReadOnlySpan<float> truth)
    {
        MetricArguments.CheckSameLength(predicted, truth);
        double sum = 0;
        for (int i = 0; i < predicted.Length; i++) sum += Math.Abs((double)predicted[i] - truth[i]);
        return sum / predicted.Length * Scale;
    }
}
