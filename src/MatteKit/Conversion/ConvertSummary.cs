namespace MatteKit.Conversion;

/// <summary>What a conversion did: frames, the ratio and network size used, and where the time went.</summary>
public sealed record ConvertSummary(
    int Frames,
    double DownsampleRatio,
    int NetworkWidth,
    int NetworkHeight,
    TimeSpan Total,
    TimeSpan Decode,
    TimeSpan Inference,
    TimeSpan Encode)
{
    /// <summary>One line on the mode when it is not plain RVM (background plate: which plate, model, settings).</summary>
    public string? Mode { get; init; }

    /// <summary>How the frame timing was changed (a variable-rate input put on a constant grid); null when it was not.</summary>
    public string? RateNote { get; init; }
}
