namespace MatteKit.Metrics;

/// <summary>
/// dtSSD of alpha (Erofeev et al. 2015, as the RVM evaluation reports it):
/// <c>1e2 * sqrt(sum(((pred_t - pred_{t-1}) - (true_t - true_{t-1}))^2) / N)</c>, N the pixel count of a frame.
/// It scores how much the predicted matte flickers beyond the true matte's own motion. The first frame of a clip
/// has no predecessor and scores 0 (both official scripts append 0 there, and that 0 counts in the clip mean).
/// </summary>
internal static class TemporalCoherence
{
    public const double Scale = 1e2;

    public static double Compute(ReadOnlySpan<float> predicted, ReadOnlySpan<float> previousPredicted,
        ReadOnlySpan<float> truth, ReadOnlySpan<float> previousTruth)
    {
        MetricArguments.CheckSameLength(predicted, truth);
        MetricArguments.CheckSameLength(predicted, previousPredicted);
        MetricArguments.CheckSameLength(truth, previousTruth);
        double sum = 0;
        for (int i = 0; i < predicted.Length; i++)
        {
            double d = ((double)predicted[i] - previousPredicted[i]) - ((double)truth[i] - previousTruth[i]);
            sum += d * d;
        }
        return Math.Sqrt(sum / predicted.Length) * Scale;
    }
}
