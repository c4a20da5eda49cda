namespace MatteKit.Inference;

/// <summary>
/// "Matte these frames": fills <see cref="FrameSlot"/>s' 8-bit results. The one way <c>convert</c> (the conversion
/// pipeline) and <c>live</c> (<c>LiveMatter</c>) matte a frame, whatever the network: RVM (<see cref="RvmFrameMatter"/>),
/// a selfie model (<c>SelfieFrameMatter</c>), a background plate (<see cref="PlateFrameMatter"/>), or one of those
/// kept to a chosen person (<c>SubjectFrameMatter</c>). What differs between them is said here, not asked of the
/// type: whether the network's resolution can be chosen (<see cref="HasRatio"/>), how many frames a call takes.
/// </summary>
internal interface IFrameMatter : IDisposable
{
    /// <summary>The most frames <see cref="Matte"/> takes at once (RVM: <c>--seq-chunk</c>; the others: 1).</summary>
    int FramesPerCall { get; }

    /// <summary>Consecutive frames of the input, in order, at most <see cref="FramesPerCall"/>.</summary>
    void Matte(IReadOnlyList<FrameSlot> slots);

    /// <summary>The downsample ratio (RVM), backbone scale (plate mode) or 1 (selfie) of the frames matted so far.</summary>
    double ResolvedRatio { get; }

    /// <summary>Where the network ran for the last frame.</summary>
    (int Width, int Height) NetworkSize { get; }

    /// <summary>Where the weights came from.</summary>
    string WeightsSource { get; }

    /// <summary>One line on the mode for the summary when it is not plain RVM; null otherwise.</summary>
    string? Describe(int frames);

    /// <summary>
    /// Whether the network's resolution is a downsample ratio that may be chosen (<see cref="Ratio"/>; RVM). False:
    /// the network runs at its own size (the selfie models' fixed input, the plate mode's backbone scale).
    /// </summary>
    bool HasRatio { get; }

    /// <summary>
    /// The downsample ratio the next calls run at; null = the network's own choice for the frame (RVM's auto ratio).
    /// Setting a ratio where <see cref="HasRatio"/> is false throws <see cref="InvalidOperationException"/>.
    /// </summary>
    double? Ratio { get; set; }

    /// <summary>The next frame starts a new sequence: the recurrent state (RVM) or the mask smoothing (selfie) is forgotten.</summary>
    void Reset();

    /// <summary>
    /// Runs the network once on a blank frame of this size at <see cref="Ratio"/> (the slow first run of a session:
    /// ORT allocates and plans), then <see cref="Reset"/>s, so that the first real frame does not pay for it.
    /// </summary>
    void Warm(int width, int height)
    {
        Matte([FrameSlot.Blank(width, height)]);
        Reset();
    }

    /// <summary>
    /// Another runner of the same network and settings, with its own sessions and state (the weights are read once):
    /// what live builds beside the running one, on another thread, to change the ratio without stopping. It reads
    /// only the settings, so it may be called on another thread while this runner mattes, or once it is disposed.
    /// Only where <see cref="HasRatio"/> (elsewhere there is nothing to change it for: <see cref="InvalidOperationException"/>).
    /// </summary>
    IFrameMatter OpenAnother();
}
