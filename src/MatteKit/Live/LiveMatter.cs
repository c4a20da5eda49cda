using MatteKit.Conversion;
using MatteKit.Inference;

namespace MatteKit.Live;

/// <summary>
/// Real-time matting: frames go in as they arrive (<see cref="Submit"/> never waits for the network), matted frames
/// come out on a worker thread (the handler given to <see cref="Start"/>), with RVM's recurrent state carried across
/// the frames actually matted.
/// <code>
/// using var live = LiveMatter.Start(new LiveMatterOptions { Background = Background.BlurredFrame() }, frame => Show(frame.Composition));
/// live.Submit(rgb24, 640, 360);   // from the camera's thread, at the camera's rate
/// var stats = live.Stats;         // fps in and out, dropped, latency percentiles
/// </code>
/// The drop policy: one frame waits at most; a newer one replaces it (the older is dropped and counted), so a slow
/// network never builds a queue. A frame that would finish past <see cref="LiveMatterOptions.MaxLatency"/> is
/// dropped too. Latency is measured from <see cref="Submit"/> to the handler's return.
/// </summary>
public sealed class LiveMatter : IDisposable
{
    private readonly LiveMatterOptions _options;
    private readonly object _gate = new(); // the session's lock: the worker, the ratio controller and the counters share it
    private readonly LiveCounters _counters = new();
    private readonly LiveRatioController _ratios;
    private readonly LiveWorker _worker;

    private readonly Subjects.SubjectFollowing? _following; // whom the runner keeps, when a subject may be chosen
    private readonly FinishingControls _finishing; // the edge controls every runner of the session reads

    private LiveMatter(LiveMatterOptions options, Action<LiveFrame> onFrame, IFrameMatter matter, CompositionBackground background)
    {
        _options = options;
        _following = FrameMatterWrapper.Find<Subjects.SubjectFrameMatter>(matter)?.Following;
        _finishing = (FrameMatterWrapper.Find<FinishingFrameMatter>(matter) ?? throw new InvalidOperationException("a live runner is always finished")).Controls;
        // A point and the edge controls are in the frame's pixels: never matted at half the frame's size.
        bool mayHalve() => options.Subject is null && !options.SubjectChangeable && !_finishing.Settings.HasEdgeControls;
        var memory = options.NetworkSideMemoryFile is { } file ? new NetworkSideMemory(file) : null;
        var m = options.Matting;
        string pipeline = $"{m.Threads} threads, refiner {m.Refiner?.ToString() ?? "default"}, subject {options.Subject is not null || options.SubjectChangeable}, " +
                          $"edges {m.HasEdgeControls}, foreground {(m.EstimateForeground ? "estimate" : "network")}, {(m.Int8 ? "int8" : "fp32")}";
        _ratios = new LiveRatioController(matter, options.Matting.DownsampleRatio, options.TargetFps, mayHalve, _gate, _counters, memory, pipeline, options.RetimeNetworkSide);
        _worker = new LiveWorker(options, onFrame, background, _gate, _ratios, _counters);
    }

    /// <summary>
    /// Loads the weights and the background and starts the worker. <paramref name="onFrame"/> runs on the worker
    /// for each matted frame; while it runs the next frame waits, so it should hand frames on rather than block.
    /// An exception from it stops the session and comes back from <see cref="Submit"/> and <see cref="Stop"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The options are out of range, or the background is not one.</exception>
    /// <exception cref="WeightsFormatException">The weights cannot be used.</exception>
    public static LiveMatter Start(LiveMatterOptions options, Action<LiveFrame> onFrame)
    {
        ArgumentNullException.ThrowIfNull(onFrame);
        options.Validate();
        var background = CompositionBackground.Open(options.Background, options.Matting.MaxPixels);
        try
        {
            return new LiveMatter(options, onFrame, MatterSettings(options).Open(), background);
        }
        catch
        {
            background.Dispose();
            throw;
        }
    }

    // What mattes, through the same factory as convert's; decoders and encoders share the cores (as in convert), and
    // a session keeps two sizes (the running ratio and one being swapped in). The worker and the ratio controller ask
    // the runner, never the model, so live's other modes are a matter of options: the subject came that way (the
    // runner wraps whichever network; frames made up to time or warm it are not followed), and a plate (Plate, with a
    // plate file: its network has no ratio, so it would run as a selfie model does, at its own size, without the auto
    // side) needs only its LiveMatterOptions, validated there, copied here, and the CLI's options.
    private static FrameMatterSettings MatterSettings(LiveMatterOptions options) => new()
    {
        Matting = options.Matting,
        Subject = options.Subject,
        SubjectChangeable = options.SubjectChangeable,
        FinishingChangeable = true, // SetAlphaEdges
        MaxCachedSizes = 2,
    };

    /// <summary>Where the weights came from.</summary>
    public string WeightsSource => _ratios.WeightsSource;

    /// <summary>The background given last (<see cref="SetBackground(Background)"/>).</summary>
    public string Background => _worker.Background;

    /// <summary>The largest frame or background accepted, in pixels.</summary>
    internal long MaxPixels => _options.Matting.MaxPixels;

    /// <summary>Whether compositions are RGBA (a transparent background); fixed for the session.</summary>
    public bool Transparent => _worker.Transparent;

    /// <summary>The ratio asked for (null = the live default).</summary>
    public double? DownsampleRatio
    {
        get { lock (_gate) return _ratios.Ratio; }
    }

    /// <summary>
    /// Builds the network session for frames of this size now, before the first one arrives (as soon as a stream's
    /// size is known), so that start-up does not cost a burst of dropped frames. With the live default ratio this
    /// is also where the network is timed and its size chosen for this CPU (a few seconds at most). The task
    /// completes when the session is ready, or when the matter has failed or stopped (<see cref="Submit"/> and
    /// <see cref="Stop"/> say which); it never faults.
    /// </summary>
    /// <exception cref="ArgumentException">The size is out of range, or the ratio asked for shrinks it to nothing.</exception>
    public Task Prepare(int width, int height)
    {
        CheckSize(width, height);
        return _worker.Prepare(width, height);
    }

    /// <summary>
    /// While an input of unknown size opens (a stream): builds the session for the frame size this machine's last run with
    /// these settings saw, when its network side is remembered (<see cref="LiveMatterOptions.NetworkSideMemoryFile"/>), so
    /// that the first frames are not dropped while it is built if the size is the same. Does nothing otherwise.
    /// </summary>
    internal void PrepareRememberedSize()
    {
        (int Width, int Height)? size;
        lock (_gate) size = _ratios.RememberedSize();
        if (size is { } s && (long)s.Width * s.Height <= _options.Matting.MaxPixels) _worker.PrepareGuess(s.Width, s.Height);
    }

    /// <summary>
    /// Hands over the next frame (interleaved 8-bit RGB), copied at once; never waits for the network. False when
    /// it was not taken (every buffer busy: the handler is slow); a frame that was waiting is replaced (dropped).
    /// </summary>
    /// <exception cref="InvalidOperationException">The session failed (the inner exception says why) or has stopped.</exception>
    /// <exception cref="ArgumentException">The size is out of range, or the ratio asked for shrinks it to nothing.</exception>
    public bool Submit(ReadOnlySpan<byte> rgb24, int width, int height)
    {
        CheckSize(width, height);
        if (rgb24.Length != width * height * 3)
            throw new ArgumentException($"frame of {width}x{height} needs {width * height * 3} RGB bytes, got {rgb24.Length}", nameof(rgb24));
        return _worker.Submit(rgb24, width, height);
    }

    /// <summary>
    /// Keeps <paramref name="subject"/> from the next frame on (null: everyone), followed afresh; a point is read in that
    /// frame, and until someone stands there alpha is 0. Needs a session started with a subject or
    /// <see cref="LiveMatterOptions.SubjectChangeable"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The session has no person detector.</exception>
    /// <exception cref="ArgumentException">A point outside the frames seen so far, or a mask of another size.</exception>
    public void SetSubject(SubjectChoice? subject)
    {
        var following = _following ?? throw new InvalidOperationException(
            "this session follows nobody: start it with a subject (or with the page, which may choose one) to choose people");
        // Refused now, on the caller's thread: on the worker it would wait for someone at a point nobody can stand on.
        (int width, int height) = Stats is { Width: > 0 } seen ? (seen.Width, seen.Height) : (0, 0);
        if (width > 0 && subject?.Fits(width, height) == false)
            throw new ArgumentException($"Subject {subject}: it does not fit the frames ({width}x{height})", "Subject");
        _worker.RequestSubject(following, subject);
    }

    /// <summary>After the session: the line for a subject chosen in a frame the stream never reached, else null.</summary>
    internal string? SubjectNeverReached => _following?.NeverReached();

    /// <summary>Whom the session keeps now (null: everyone), as text; null too when it cannot choose.</summary>
    public string? Subject => _worker.SubjectText(_following);

    /// <summary>
    /// Changes the edge controls from the next frame on (as <see cref="MattingSettings.AlphaChoke"/>,
    /// <see cref="MattingSettings.AlphaFeather"/>, <see cref="MattingSettings.AlphaLevelLow"/> and
    /// <see cref="MattingSettings.AlphaLevelHigh"/>; 0, 0, 0, 1 turns them off). They are in the frame's pixels, so a session
    /// that mattes at half the frame's size (the live default on a CPU too slow for it, without a subject, the page or edge
    /// controls at the start) refuses them.
    /// </summary>
    /// <exception cref="ArgumentException">A value out of its bounds (the message names the setting).</exception>
    /// <exception cref="InvalidOperationException">The session mattes at half the frame's size.</exception>
    public void SetAlphaEdges(float choke, float feather, float levelLow, float levelHigh)
    {
        var next = _finishing.Settings with { AlphaChoke = choke, AlphaFeather = feather, AlphaLevelLow = levelLow, AlphaLevelHigh = levelHigh };
        next.Validate();
        lock (_gate)
        {
            // Also at a fixed ratio: going back to the default would halve the frames again.
            if (next.HasEdgeControls && _ratios.HalvesAtDefault)
                throw new InvalidOperationException("this session mattes at half the frame's size on this CPU; edge controls are in the frame's pixels: " +
                                                    "start it with edge controls, a subject or the page to keep the full size");
            _finishing.Settings = next;
        }
    }

    /// <summary>The finishing settings in force (the edge controls and the foreground's source of the matting settings).</summary>
    internal MattingSettings FinishingSettings => _finishing.Settings;

    /// <summary>The edge controls and foreground estimation in force, in words (<c>alpha edges: choke 2 px</c>); null when none.</summary>
    public string? AlphaEdges => FinishingFrameMatter.Describe(_finishing.Settings);

    /// <summary>Forgets the recurrent state before the next frame (a scene cut, a new person).</summary>
    public void Reset() => _worker.RequestReset();

    /// <summary>
    /// Changes the background from the next frame on (parsed and probed here, on the caller's thread). The
    /// transparency cannot change: outputs were opened for RGB or RGBA.
    /// </summary>
    /// <exception cref="ArgumentException">Not a background, or a change of transparency.</exception>
    /// <exception cref="MediaFormatException">An image or video that cannot be read.</exception>
    public void SetBackground(Background background) => SetBackground(CompositionBackground.Open(background, _options.Matting.MaxPixels));

    /// <summary>As <see cref="SetBackground(Background)"/>, with a background already made (the preview page's: no files); taken over.</summary>
    internal void SetBackground(CompositionBackground next)
    {
        if (next.Transparent != _worker.Transparent)
        {
            next.Dispose();
            throw new ArgumentException(_worker.Transparent
                ? "this session started with a transparent background; its outputs take RGBA, so it stays transparent"
                : "transparent needs a session started with Background transparent (its outputs were opened for RGB)");
        }
        _worker.SetBackground(next);
    }

    /// <summary>
    /// Changes the downsample ratio (null = the live default). The new session is built beside the running one and
    /// swapped in when ready, so frames keep coming meanwhile; the state starts afresh at the new ratio. One session
    /// is built at a time: changes asked for meanwhile wait, and only the newest of them is built. A build that
    /// fails leaves the running session as it was (<see cref="RatioFailure"/> says why).
    /// </summary>
    /// <exception cref="ArgumentException">Out of (0, 1], a selfie model, before the frame size is known, or a ratio that shrinks the frame to nothing.</exception>
    public void SetDownsampleRatio(double? ratio)
    {
        MattingSettings.ValidateRatio(ratio);
        _ratios.CheckHasRatio();
        lock (_gate)
        {
            _worker.ThrowIfEnded();
            _ratios.SetRatio(ratio);
        }
    }

    /// <summary>Why the last change of ratio could not be made (the session runs on at the ratio it had); null when none failed.</summary>
    internal string? RatioFailure
    {
        get { lock (_gate) return _ratios.RatioFailure; }
    }

    /// <summary>The numbers so far.</summary>
    public LiveStats Stats
    {
        get { lock (_gate) return _counters.Snapshot(_ratios.FrameSize, _ratios.MattedAtHalfSize, _ratios.SideRemembered); }
    }

    /// <summary>Mattes the frame still waiting, then stops the worker. Rethrows a failure of the session.</summary>
    public void Stop()
    {
        _worker.End();
        _worker.ThrowFailure();
    }

    private void CheckSize(int width, int height)
    {
        if (width <= 0 || height <= 0) throw new ArgumentException($"frame size must be positive, got {width}x{height}");
        if ((long)width * height > _options.Matting.MaxPixels)
            throw new ArgumentException($"a frame of {width}x{height} is {(long)width * height} pixels, above the limit of {_options.Matting.MaxPixels}");
    }

    public void Dispose()
    {
        _worker.End();
        _ratios.Dispose();
        _worker.Dispose();
    }
}
