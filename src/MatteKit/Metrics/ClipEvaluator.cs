namespace MatteKit.Metrics;

/// <summary>
/// Scores the frames of one clip in order: every per-frame metric, plus dtSSD against the previous frame, which is
/// why the frames must come in playback order. Alpha values are in [0, 1] (8-bit files divided by 255, as the
/// official scripts read them); foreground colours are interleaved RGB in [0, 1].
/// </summary>
public sealed class ClipEvaluator
{
    private readonly List<FrameScores> _frames = new();
    private float[]? _previousPredicted, _previousTruth;

    public ClipEvaluator(string name, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        Name = name;
        Width = width;
        Height = height;
    }

    public string Name { get; }
    public int Width { get; }
    public int Height { get; }

    /// <summary>Scores the next frame. Without foregrounds (both empty) the foreground metrics are NaN.</summary>
    public FrameScores Add(string frameName, ReadOnlySpan<float> predictedAlpha, ReadOnlySpan<float> trueAlpha,
        ReadOnlySpan<float> predictedRgb = default, ReadOnlySpan<float> trueRgb = default)
    {
        MetricArguments.CheckPlane(predictedAlpha, Width, Height, "predicted alpha");
        MetricArguments.CheckPlane(trueAlpha, Width, Height, "true alpha");
        double dtssd = _previousPredicted is null
            ? 0
            : TemporalCoherence.Compute(predictedAlpha, _previousPredicted, trueAlpha, _previousTruth);
        var (fgrMse, fgrMad) = predictedRgb.IsEmpty && trueRgb.IsEmpty
            ? (double.NaN, double.NaN)
            : ForegroundError.Compute(predictedRgb, trueRgb, trueAlpha);
        var predictedMask = RegionSimilarity.Binarize(predictedAlpha);
        var trueMask = RegionSimilarity.Binarize(trueAlpha);
        var values = new MetricValues(
            MeanAbsoluteDifference.Compute(predictedAlpha, trueAlpha),
            MeanSquaredError.Compute(predictedAlpha, trueAlpha),
            GradientError.Compute(predictedAlpha, trueAlpha, Width, Height),
            ConnectivityError.Compute(predictedAlpha, trueAlpha, Width, Height),
            dtssd, fgrMse, fgrMad,
            RegionSimilarity.Compute(predictedMask, trueMask),
            ContourAccuracy.Compute(predictedMask, trueMask, Width, Height));
        _previousPredicted = predictedAlpha.ToArray();
        _previousTruth = trueAlpha.ToArray();
        var frame = new FrameScores(frameName, values);
        _frames.Add(frame);
        return frame;
    }

    public ClipScores Finish()
    {
        if (_frames.Count == 0) throw new InvalidOperationException($"clip {Name} has no frames");
        return new ClipScores(Name, _frames.ToArray(), MetricValues.Mean(_frames.Select(f => f.Values).ToList()));
    }
}
