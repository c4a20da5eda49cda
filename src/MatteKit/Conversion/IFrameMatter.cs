namespace MatteKit.Conversion;

/// <summary>
/// The inference stage of the conversion pipeline: fills decoded <see cref="FrameSlot"/>s' 8-bit results. RVM
/// (<see cref="RvmFrameMatter"/>) and background-plate mode (<see cref="PlateFrameMatter"/>) share everything else:
/// decoding, outputs, compositing, progress and cleanup.
/// </summary>
internal interface IFrameMatter : IDisposable
{
    /// <summary>The most frames <see cref="Matte"/> takes at once (RVM: <c>--seq-chunk</c>; plate mode: 1).</summary>
    int FramesPerCall { get; }

    /// <summary>Consecutive frames of the input, in order, at most <see cref="FramesPerCall"/>.</summary>
    void Matte(IReadOnlyList<FrameSlot> slots);

    /// <summary>The downsample ratio (RVM) or backbone scale (plate mode) of the frames matted so far.</summary>
    double ResolvedRatio { get; }

    /// <summary>Where the network ran for the last frame.</summary>
    (int Width, int Height) NetworkSize { get; }

    /// <summary>One line on the mode for the summary when it is not plain RVM; null otherwise.</summary>
    string? Describe(int frames);
}
