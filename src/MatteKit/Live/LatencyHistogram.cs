namespace MatteKit.Live;

/// <summary>
/// Latencies of a session of any length in fixed memory: 0.1 ms bins up to 10 s (100,000 counters), the exact
/// maximum beside them, so p50 and p95 are read to 0.1 ms however many hours the session ran. Not thread-safe.
/// </summary>
internal sealed class LatencyHistogram
{
    private const double BinMs = 0.1;
    private const int Bins = 100_000;
    private readonly int[] _counts = new int[Bins + 1];

    public long Count { get; private set; }

    public double MaxMs { get; private set; }

    public void Add(double ms)
    {
        ms = Math.Max(0, ms);
        _counts[Math.Min((int)(ms / BinMs), Bins)]++;
        Count++;
        MaxMs = Math.Max(MaxMs, ms);
    }

    /// <summary>The latency that <paramref name="fraction"/> of the samples do not exceed (the upper edge of its bin, at most the maximum); 0 with no samples.</summary>
    public double Percentile(double fraction)
    {
        if (Count == 0) return 0;
        long rank = Math.Max(1, (long)Math.Ceiling(fraction * Count));
        long seen = 0;
        for (int i = 0; i <= Bins; i++)
        {
            seen += _counts[i];
            if (seen >= rank) return Math.Min((i + 1) * BinMs, MaxMs);
        }
        return MaxMs;
    }
}
