namespace MatteKit.Conversion;

/// <summary>
/// The inference stage of the conversion pipeline: fills a decoded <see cref="FrameSlot"/>'s 8-bit results. RVM
/// (<see cref="RvmFrameMatter"/>) and background-plate mode (<see cref="PlateFrameMatter"/>) share everything else:
/// decoding, outputs, compositing, progress and cleanup.
/// </summary>
internal interface IFrameMatter : IDisposable
{
    void Matte(FrameSlot slot);

    /// <summary>The downsample ratio (RVM) or backbone scale (plate mode) of the frames matted so far.</summary>
    double ResolvedRatio { get; }

    /// <summary>Where the network ran for the last frame.</summary>
    (int Width, int Height) NetworkSize { get; }

    /// <summary>One line on the mode for the summary when it is not plain RVM; null otherwise.</summary>
    string? Describe(int frames);
}
