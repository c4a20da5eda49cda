namespace MatteKit.Live;

/// <summary>
/// Where a live session stands: frames that arrived, were matted and output, were dropped (and why), and the
/// latency from a frame's arrival to its output. A snapshot: the numbers do not change after it is taken.
/// </summary>
public sealed record LiveStats
{
    /// <summary>Frames handed to <see cref="LiveMatter.Submit"/>.</summary>
    public long FramesIn { get; init; }

    /// <summary>Frames matted and handed to the frame handler.</summary>
    public long FramesOut { get; init; }

    /// <summary>Frames never matted: replaced by a newer one while waiting, or too late to make the latency bound.</summary>
    public long Dropped { get; init; }

    /// <summary>Of <see cref="Dropped"/>, those that arrived before the first output (while the session was being built).</summary>
    public long DroppedAtStart { get; init; }

    /// <summary>Of <see cref="Dropped"/>, those dropped because they had already waited too long for the latency bound.</summary>
    public long DroppedLate { get; init; }

    /// <summary>Times the recurrent state was reset on request.</summary>
    public long Resets { get; init; }

    /// <summary>
    /// Whether frames are matted at half their size (the live default ratio on a CPU too slow for the frame at any
    /// network size): the alpha is enlarged back, the foreground is the input's colour.
    /// </summary>
    public bool MattedAtHalfSize { get; init; }

    /// <summary>Whether the live default's network side was taken from an earlier run (<see cref="LiveMatterOptions.NetworkSideMemoryFile"/>) rather than searched for.</summary>
    public bool NetworkSideRemembered { get; init; }

    /// <summary>Scene cuts found, each a state reset (<see cref="LiveMatterOptions.ResetOnSceneCut"/>).</summary>
    public long SceneCuts { get; init; }

    /// <summary>How often the network's resolution changed (asked for, or lowered by the live default ratio under load).</summary>
    public long RatioChanges { get; init; }

    /// <summary>
    /// Network sessions built to change the resolution (<see cref="LiveMatter.SetDownsampleRatio"/>, or the live default
    /// lowered under load): one at a time, changes asked for meanwhile coalesced into the newest.
    /// </summary>
    public long SessionsBuilt { get; init; }

    /// <summary>Median latency, arrival to output, in milliseconds.</summary>
    public double LatencyP50Ms { get; init; }

    public double LatencyP95Ms { get; init; }

    public double LatencyMaxMs { get; init; }

    /// <summary>Mean time the network took per frame, in milliseconds.</summary>
    public double NetworkMs { get; init; }

    /// <summary>Input frames per second since the first frame arrived.</summary>
    public double FpsIn { get; init; }

    /// <summary>Output frames per second since the first output.</summary>
    public double FpsOut { get; init; }

    /// <summary>Output frames per second over the last two seconds (what a viewer sees now).</summary>
    public double FpsOutRecent { get; init; }

    /// <summary>From the first frame's arrival to the first output, in milliseconds (building the session included); 0 before it.</summary>
    public double FirstOutputMs { get; init; }

    /// <summary>Seconds since the session started.</summary>
    public double ElapsedSeconds { get; init; }

    /// <summary>The downsample ratio of the last frame matted (0 before the first).</summary>
    public double DownsampleRatio { get; init; }

    /// <summary>Where the network ran for the last frame.</summary>
    public int NetworkWidth { get; init; }

    public int NetworkHeight { get; init; }

    /// <summary>The input's frame size (0 before the first frame).</summary>
    public int Width { get; init; }

    public int Height { get; init; }
}
