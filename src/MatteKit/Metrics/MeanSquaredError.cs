namespace MatteKit.Metrics;

/// <summary>
/// MSE of alpha, as the RVM evaluation reports it: <c>1e3 * mean((pred - true)^2)</c> over every pixel, alpha in
/// [0, 1]. The same in both official scripts.
/// </summary>
internal static class MeanSquaredError
{
    public const double Scale = 1e3;

    public static double Compute(ReadOnlySpan<float> predicted, ReadOnlySpan<float> truth)
    {
        MetricArguments.CheckSameLength(predicted, truth);
        double sum = 0;
        for (int i = 0; i < predicted.Length; i++)
        {
            double d = (double)predicted[i] - truth[i];
            sum += d * d;
        }
        return sum / predicted.Length * Scale;
    }
}
