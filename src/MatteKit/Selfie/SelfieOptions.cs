namespace MatteKit;

/// <summary>How a <see cref="SelfieSegmenter"/> runs.</summary>
internal sealed record SelfieOptions
{
    /// <summary>The most a frame's mask may take from the previous frame's: above it a mask lags visibly behind motion.</summary>
    public const float MaxSmoothing = 0.9f;

    /// <summary>Threads ONNX Runtime may use inside one operator; 0 = one per core.</summary>
    public int Threads { get; init; }

    /// <summary>Let idle ONNX Runtime workers spin (see <see cref="MatterOptions.SpinWhileIdle"/>).</summary>
    public bool SpinWhileIdle { get; init; } = true;

    /// <summary>How the mask is brought to the frame's size.</summary>
    public SelfieEdge Edge { get; init; } = SelfieEdge.GuidedFilter;

    /// <summary>
    /// Temporal smoothing: the share of the previous frame's probability blended into this frame's, 0 (none, the
    /// default) to <see cref="MaxSmoothing"/>. It lowers flicker and makes the mask trail motion; the table in docs/selfie-and-subject.md
    /// measures both.
    /// </summary>
    public float Smoothing { get; init; }

    /// <summary>Sessions kept for other frame sizes before the least recently used is dropped.</summary>
    public int MaxCachedSizes { get; init; } = 4;

    internal void Validate()
    {
        if (Threads < 0) throw new ArgumentOutOfRangeException(nameof(Threads), Threads, "threads must be 0 (one per core) or more");
        if (!(Smoothing >= 0 && Smoothing <= MaxSmoothing))
            throw new ArgumentOutOfRangeException(nameof(Smoothing), Smoothing, $"smoothing must be between 0 and {MaxSmoothing}");
        if (MaxCachedSizes < 1) throw new ArgumentOutOfRangeException(nameof(MaxCachedSizes), MaxCachedSizes, "at least one session");
    }
}
