namespace MatteKit.Metrics;

/// <summary>
/// Region similarity J of a segmentation (DAVIS, Perazzi et al. 2016; the video-segmentation survey metric):
/// <c>J = |pred ∩ true| / |pred ∪ true|</c> on binary masks, and 1 when both masks are empty (the DAVIS toolkit's
/// convention). A matte becomes a mask where alpha ≥ 0.5 (<see cref="Binarize"/>).
/// </summary>
internal static class RegionSimilarity
{
    public const float MaskThreshold = 0.5f;

    public static double Compute(ReadOnlySpan<bool> predicted, ReadOnlySpan<bool> truth)
    {
        MetricArguments.CheckSameLength(predicted, truth);
        long intersection = 0, union = 0;
        for (int i = 0; i < predicted.Length; i++)
        {
            if (predicted[i] && truth[i]) intersection++;
            if (predicted[i] || truth[i]) union++;
        }
        return union == 0 ? 1.0 : (double)intersection / union;
    }

    public static bool[] Binarize(ReadOnlySpan<float> alpha)
    {
        var mask = new bool[alpha.Length];
        for (int i = 0; i < alpha.Length; i++) mask[i] = alpha[i] >= MaskThreshold;
        return mask;
    }
}
