namespace MatteKit.Onnx;

/// <summary>
/// The values one activation took over calibration frames, counted in bins between its smallest and largest value,
/// and the uint8 range that quantizes them with the least squared error. The extremes are poor bounds: a few
/// outliers (a stem conv's output reaches 78 where its mean magnitude is 3) would make every step coarse, while
/// clipping them costs little.
/// </summary>
internal sealed class ActivationHistogram
{
    private const int Bins = 2048;

    // Shares of the values left out below the range and above it that the search tries.
    private static readonly double[] TailShares = { 0, 1e-6, 1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2 };

    private readonly long[] _counts = new long[Bins];
    private readonly float _low;
    private readonly float _width;

    /// <summary>Bins over <c>[min, max]</c> widened to hold 0 (it stays exact in every range).</summary>
    public ActivationHistogram(float min, float max)
    {
        _low = MathF.Min(min, 0f);
        _width = MathF.Max(MathF.Max(max, 0f) - _low, 1e-6f) / Bins;
    }

    public void Add(ReadOnlySpan<float> values)
    {
        foreach (var v in values) _counts[Math.Clamp((int)((v - _low) / _width), 0, Bins - 1)]++;
    }

    /// <summary>The range, among the tails tried, whose uint8 quantization has the least squared error over the counted values.</summary>
    public (float Min, float Max) BestRange()
    {
        long total = _counts.Sum();
        var lows = TailShares.Select(share => Edge(total, share, fromBelow: true)).Distinct().ToArray();
        var highs = TailShares.Select(share => Edge(total, share, fromBelow: false)).Distinct().ToArray();
        (float, float) best = (Center(0), Center(Bins - 1));
        double bestError = double.PositiveInfinity;
        foreach (var lo in lows)
            foreach (var hi in highs)
            {
                float min = MathF.Min(lo, 0f), max = MathF.Max(hi, 0f);
                double step = Math.Max(max - min, 1e-6) / 255, inside = step * step / 12, error = 0;
                for (int b = 0; b < Bins; b++)
                {
                    if (_counts[b] == 0) continue;
                    float c = Center(b);
                    double e = c < min ? (min - c) * (min - c) : c > max ? (c - max) * (c - max) : inside;
                    error += _counts[b] * e;
                }
                if (error < bestError) (bestError, best) = (error, (min, max));
            }
        return best;
    }

    private float Center(int bin) => _low + (bin + 0.5f) * _width;

    /// <summary>The bin edge with <paramref name="share"/> of the values beyond it (below it, or above it).</summary>
    private float Edge(long total, double share, bool fromBelow)
    {
        long allowed = (long)(share * total), seen = 0;
        if (fromBelow)
        {
            for (int b = 0; b < Bins; b++)
            {
                if (seen + _counts[b] > allowed) return _low + b * _width;
                seen += _counts[b];
            }
            return _low + Bins * _width;
        }
        for (int b = Bins - 1; b >= 0; b--)
        {
            if (seen + _counts[b] > allowed) return _low + (b + 1) * _width;
            seen += _counts[b];
        }
        return _low;
    }
}
