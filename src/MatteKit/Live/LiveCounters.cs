using System.Diagnostics;

namespace MatteKit.Live;

/// <summary>
/// The numbers a <see cref="LiveMatter"/> keeps as frames arrive, are dropped and are output, and the
/// <see cref="LiveStats"/> snapshot of them. Not locked itself: every member is used under the session's lock.
/// </summary>
internal sealed class LiveCounters
{
    private readonly LatencyHistogram _latency = new();
    private readonly long[] _recentOutputs = new long[128];
    private readonly long _started = Stopwatch.GetTimestamp();
    private long _framesIn, _dropped, _droppedAtStart, _droppedLate, _firstArrival, _lastArrival, _firstOutput, _lastOutput;
    private double _networkMsTotal, _lastRatio;
    private (int Width, int Height) _networkSize;

    public long FramesOut { get; private set; }

    public long Resets { get; set; }

    public long SceneCuts { get; set; }

    public long RatioChanges { get; set; }

    public long SessionsBuilt { get; set; }

    /// <summary>A moving average of a frame's whole handling (network and frame handler), in milliseconds.</summary>
    public double EstimateMs { get; private set; }

    /// <summary>A moving average of the time between arrivals, in milliseconds (0 before the second frame).</summary>
    public double IntervalMs { get; private set; }

    /// <summary>A frame arrived at <paramref name="now"/> (a <see cref="Stopwatch"/> timestamp); its number among those submitted.</summary>
    public long Arrived(long now)
    {
        if (_firstArrival == 0) _firstArrival = now;
        if (_lastArrival != 0)
        {
            double interval = Seconds(_lastArrival, now) * 1000;
            IntervalMs = IntervalMs == 0 ? interval : 0.9 * IntervalMs + 0.1 * interval;
        }
        _lastArrival = now;
        return _framesIn++;
    }

    /// <summary>A frame was dropped: replaced while waiting, or (<paramref name="late"/>) too late for the latency bound.</summary>
    public void Dropped(bool late)
    {
        _dropped++;
        if (FramesOut == 0) _droppedAtStart++;
        if (late) _droppedLate++;
    }

    /// <summary>A frame that arrived at <paramref name="arrival"/> was matted from <paramref name="start"/> to <paramref name="matted"/> and handed on until <paramref name="end"/>.</summary>
    public void Output(long arrival, long start, long matted, long end, double ratio, (int Width, int Height) networkSize)
    {
        double total = Seconds(start, end) * 1000;
        EstimateMs = FramesOut == 0 ? total : 0.8 * EstimateMs + 0.2 * total;
        _networkMsTotal += Seconds(start, matted) * 1000;
        _latency.Add(Seconds(arrival, end) * 1000);
        if (FramesOut == 0) _firstOutput = end;
        _lastOutput = end;
        _recentOutputs[FramesOut % _recentOutputs.Length] = end;
        FramesOut++;
        _lastRatio = ratio;
        _networkSize = networkSize;
    }

    /// <summary>The numbers now, with what the ratio controller says of the frames' size and matting.</summary>
    public LiveStats Snapshot((int Width, int Height) frameSize, bool mattedAtHalfSize, bool sideRemembered = false)
    {
        long now = Stopwatch.GetTimestamp();
        int recent = 0;
        long window = 2 * Stopwatch.Frequency;
        foreach (long t in _recentOutputs)
            if (t != 0 && now - t <= window) recent++;
        double inSpan = _firstArrival == 0 ? 0 : Seconds(_firstArrival, now);
        double outSpan = FramesOut < 2 ? 0 : Seconds(_firstOutput, _lastOutput);
        return new LiveStats
        {
            FramesIn = _framesIn,
            FramesOut = FramesOut,
            Dropped = _dropped,
            DroppedAtStart = _droppedAtStart,
            DroppedLate = _droppedLate,
            Resets = Resets,
            RatioChanges = RatioChanges,
            SessionsBuilt = SessionsBuilt,
            SceneCuts = SceneCuts,
            MattedAtHalfSize = mattedAtHalfSize,
            NetworkSideRemembered = sideRemembered,
            LatencyP50Ms = _latency.Percentile(0.5),
            LatencyP95Ms = _latency.Percentile(0.95),
            LatencyMaxMs = _latency.MaxMs,
            NetworkMs = FramesOut == 0 ? 0 : _networkMsTotal / FramesOut,
            FpsIn = inSpan > 0 ? (_framesIn - 1) / inSpan : 0,
            // Frames after the first over the time they took: the rate outputs were written at.
            FpsOut = outSpan > 0 ? (FramesOut - 1) / outSpan : 0,
            FpsOutRecent = Math.Max(0, recent - 1) / Math.Min(2.0, Math.Max(inSpan, 1e-9)),
            FirstOutputMs = _firstOutput == 0 ? 0 : Seconds(_firstArrival, _firstOutput) * 1000,
            ElapsedSeconds = Seconds(_started, now),
            DownsampleRatio = _lastRatio,
            NetworkWidth = _networkSize.Width,
            NetworkHeight = _networkSize.Height,
            Width = frameSize.Width,
            Height = frameSize.Height,
        };
    }

    public static double Seconds(long from, long to) => (double)(to - from) / Stopwatch.Frequency;
}
