using System.Diagnostics;
using System.Runtime.ExceptionServices;
using MatteKit.Conversion;
using MatteKit.Inference;

namespace MatteKit.Live;

/// <summary>
/// Real-time matting: frames go in as they arrive (<see cref="Submit"/> never waits for the network), matted frames
/// come out on a worker thread (the handler given to <see cref="Start"/>), with RVM's recurrent state carried across
/// the frames actually matted.
/// <code>
/// using var live = LiveMatter.Start(new LiveMatterOptions { Background = "blur" }, frame => Show(frame.Composition));
/// live.Submit(rgb24, 640, 360);   // from the camera's thread, at the camera's rate
/// var stats = live.Stats;         // fps in and out, dropped, latency percentiles
/// </code>
/// The drop policy: one frame waits at most; a newer one replaces it (the older is dropped and counted), so a slow
/// network never builds a queue. A frame that would finish past <see cref="LiveMatterOptions.MaxLatency"/> is
/// dropped too. Latency is measured from <see cref="Submit"/> to the handler's return.
/// </summary>
public sealed class LiveMatter : IDisposable
{
    private const int Buffers = 3; // one being filled, one waiting, one being matted
    private const int StepDownAfterFrames = 60;    // frames matted at a side before it may be lowered again
    private const int OverloadedFramesToStep = 30; // frames in a row slower than the input before it is
    private const double CalibrationSeconds = 3;   // the most the search for the auto side goes on (frames wait)
    private const int MinHalvedSide = 240;         // frames smaller than this are not matted at half size
    private readonly LiveMatterOptions _options;
    private readonly Action<LiveFrame> _onFrame;
    private readonly WeightSet? _weights;
    private readonly object _gate = new();
    private readonly Stack<LiveSlot> _free = new();
    private readonly Thread _worker;
    private readonly LatencyHistogram _latency = new();
    private readonly long[] _recentOutputs = new long[128];
    private readonly long _started = Stopwatch.GetTimestamp();
    private VideoMatter? _matter; // null with a selfie model

    /// <summary>RVM's matter, for the code paths that run only without a selfie model.</summary>
    private VideoMatter Rvm => _matter ?? throw new InvalidOperationException("an RVM step was reached in a selfie-model session");
    private readonly SelfieSegmenter? _selfie; // --model selfie|selfie-landscape: no ratio, no recurrent state
    private CompositionBackground _background;
    private CompositionBackground? _nextBackground;
    private readonly Func<FrameSlot, ReadOnlyMemory<byte>> _compose;
    private (VideoMatter Matter, double? Ratio, int Side)? _nextMatter;
    private (double? Ratio, int Side, long Version)? _buildWanted; // the newest session asked for, not yet being built
    private bool _building; // a session is being built (at most one at a time: each holds hundreds of MB while it warms)
    private long _sessionsBuilt;
    private string? _ratioFailure;
    private double? _ratio; // asked for; the worker runs _matter at _matterRatio until the session for _ratio is swapped in
    private double? _matterRatio; // null = the auto side's ratio
    private readonly AutoNetworkSide _auto = new();
    private bool _calibrated, _stepPending, _halved;
    private byte[] _halfRgb = Array.Empty<byte>();
    private long _framesSinceSwap, _overloadedFrames, _ratioChanges;
    private long _ratioVersion;
    private readonly List<TaskCompletionSource> _preparing = new();
    private LiveSlot? _waiting;
    private (int Width, int Height)? _prepare;
    private bool _stopping, _resetRequested;
    private ExceptionDispatchInfo? _failure;
    private byte[] _composition = Array.Empty<byte>();
    private long _framesIn, _framesOut, _dropped, _droppedAtStart, _droppedLate, _resets, _sceneCuts;
    private readonly SceneCutDetector _cuts = new();
    private long _firstArrival, _lastArrival, _firstOutput, _lastOutput;
    private double _networkMsTotal, _estimateMs, _intervalMs;
    private double _lastRatio;
    private (int Width, int Height) _networkSize, _frameSize;

    private LiveMatter(LiveMatterOptions options, Action<LiveFrame> onFrame, WeightSet? weights, VideoMatter? matter, SelfieSegmenter? selfie,
        CompositionBackground background)
    {
        _options = options;
        _onFrame = onFrame;
        _weights = weights;
        _matter = matter;
        _selfie = selfie;
        _calibrated = selfie is not null;
        _background = background;
        _ratio = _matterRatio = options.DownsampleRatio;
        _compose = Compose;
        for (int i = 0; i < Buffers; i++) _free.Push(new LiveSlot());
        _worker = new Thread(Work) { Name = "mattekit live", IsBackground = true };
        _worker.Start();
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
        var background = CompositionBackground.Parse(options.Background, options.MaxPixels);
        try
        {
            if (options.Model != MatteModel.Rvm)
                return new LiveMatter(options, onFrame, null, null, OpenSelfie(options), background);
            var weights = options.Weights is { } path && VideoMatter.IsOnnxFile(path) ? null : WeightsFile.LoadOrDefault(options.Weights);
            var matter = Open(options, weights);
            return new LiveMatter(options, onFrame, weights, matter, null, background);
        }
        catch
        {
            background.Dispose();
            throw;
        }
    }

    private static VideoMatter Open(LiveMatterOptions options, WeightSet? weights)
    {
        // Decoders and encoders share the cores: spinning ORT workers would take time from them (as in convert).
        var matterOptions = new MatterOptions { Threads = options.Threads, Refiner = options.Refiner, SpinWhileIdle = false, MaxCachedSizes = 2 };
        return weights is null ? VideoMatter.Load(options.Weights, matterOptions) : VideoMatter.Load(weights, matterOptions);
    }

    private static SelfieSegmenter OpenSelfie(LiveMatterOptions options)
        => MatteModelSettings.OpenSelfie(options.Model, options.Weights,
            new SelfieOptions { Threads = options.Threads, SpinWhileIdle = false, Smoothing = options.MaskSmoothing, MaxCachedSizes = 2 });

    /// <summary>Where the weights came from.</summary>
    public string WeightsSource => _selfie?.ModelSource ?? Rvm.WeightsSource;

    /// <summary>The background given last (<see cref="SetBackground(string)"/>).</summary>
    public string Background
    {
        get { lock (_gate) return (_nextBackground ?? _background).Text; }
    }

    /// <summary>The largest frame or background accepted, in pixels.</summary>
    internal long MaxPixels => _options.MaxPixels;

    /// <summary>Whether compositions are RGBA (a transparent background); fixed for the session.</summary>
    public bool Transparent => _background.Transparent;

    /// <summary>The ratio asked for (null = the live default).</summary>
    public double? DownsampleRatio
    {
        get { lock (_gate) return _ratio; }
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
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            CheckRatioFits(width, height);
            if (_stopping || _failure is not null) return Task.CompletedTask;
            _frameSize = (width, height);
            _prepare = (width, height);
            _preparing.Add(ready);
            Monitor.PulseAll(_gate);
        }
        return ready.Task;
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
        long now = Stopwatch.GetTimestamp();
        LiveSlot? slot;
        long sequence;
        lock (_gate)
        {
            ThrowIfEnded();
            CheckRatioFits(width, height);
            sequence = _framesIn++;
            if (_firstArrival == 0) _firstArrival = now;
            if (_lastArrival != 0)
            {
                double interval = Seconds(_lastArrival, now) * 1000;
                _intervalMs = _intervalMs == 0 ? interval : 0.9 * _intervalMs + 0.1 * interval;
            }
            _lastArrival = now;
            _frameSize = (width, height);
            if (!_free.TryPop(out slot))
            {
                CountDrop(late: false);
                return false;
            }
        }
        var frame = slot.Frame;
        (frame.Width, frame.Height) = (width, height);
        if (frame.Rgb.Length < rgb24.Length) frame.Rgb = new byte[rgb24.Length];
        rgb24.CopyTo(frame.Rgb);
        frame.EnsureMatteBuffers();
        lock (_gate)
        {
            slot.Arrival = now;
            slot.Sequence = sequence;
            if (_waiting is { } older)
            {
                CountDrop(late: false);
                _free.Push(older);
            }
            _waiting = slot;
            Monitor.PulseAll(_gate);
        }
        return true;
    }

    /// <summary>Forgets the recurrent state before the next frame (a scene cut, a new person).</summary>
    public void Reset()
    {
        lock (_gate) _resetRequested = true;
    }

    /// <summary>
    /// Changes the background from the next frame on (parsed and probed here, on the caller's thread). The
    /// transparency cannot change: outputs were opened for RGB or RGBA.
    /// </summary>
    /// <exception cref="ArgumentException">Not a background, or a change of transparency.</exception>
    /// <exception cref="MediaFormatException">An image or video that cannot be read.</exception>
    public void SetBackground(string background) => SetBackground(CompositionBackground.Parse(background, _options.MaxPixels));

    /// <summary>As <see cref="SetBackground(string)"/>, with a background already made (the preview page's: no files); taken over.</summary>
    internal void SetBackground(CompositionBackground next)
    {
        if (next.Transparent != _background.Transparent)
        {
            next.Dispose();
            throw new ArgumentException(_background.Transparent
                ? "this session started with a transparent background; its outputs take RGBA, so it stays transparent"
                : "transparent needs a session started with --background transparent (its outputs were opened for RGB)");
        }
        lock (_gate)
        {
            _nextBackground?.Dispose();
            _nextBackground = next;
        }
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
        LiveMatterOptions.ValidateRatio(ratio);
        if (_selfie is not null) throw new ArgumentException("the selfie models run at their fixed network size; there is no downsample ratio to change");
        lock (_gate)
        {
            ThrowIfEnded();
            if (_frameSize.Width == 0)
            {
                // No frame yet, so no session to replace: the first frame's session is built at this ratio, and the
                // ratio is checked against that frame (Prepare, Submit) as the options' ratio is.
                _ratio = _matterRatio = ratio;
                return;
            }
            // Checked against the frame: a network of no pixels cannot run.
            LiveMatterOptions.CheckRatioFits(ratio, _frameSize.Width, _frameSize.Height);
            _ratio = ratio;
            BuildInBackground(ratio, _auto.Side);
        }
    }

    /// <summary>Why the last change of ratio could not be made (the session runs on at the ratio it had); null when none failed.</summary>
    internal string? RatioFailure
    {
        get { lock (_gate) return _ratioFailure; }
    }

    // Under the lock: a session for this ratio (null: the auto side's) is to be built and warmed on another thread,
    // then left in _nextMatter for the worker to swap in at a frame boundary. A newer request makes it obsolete.
    private void BuildInBackground(double? ratio, int side)
    {
        _buildWanted = (ratio, side, ++_ratioVersion);
        if (_building) return; // the build running now takes the newest request when it ends
        _building = true;
        Task.Run(BuildWanted);
    }

    private void BuildWanted()
    {
        while (true)
        {
            (double? Ratio, int Side, long Version) wanted;
            (int Width, int Height) size;
            lock (_gate)
            {
                if (_buildWanted is not { } next || _stopping)
                {
                    _buildWanted = null;
                    _building = false;
                    return;
                }
                wanted = next;
                _buildWanted = null;
                size = _frameSize;
                _sessionsBuilt++;
            }
            VideoMatter? built = null;
            try
            {
                built = Open(_options, _weights);
                if (size.Width > 0) Warm(built, size.Width, size.Height, wanted.Ratio, wanted.Side);
                lock (_gate)
                {
                    if (wanted.Version == _ratioVersion && !_stopping)
                    {
                        _nextMatter?.Matter.Dispose();
                        _nextMatter = (built, wanted.Ratio, wanted.Side);
                        _ratioFailure = null;
                        built = null;
                    }
                }
            }
            catch (Exception e)
            {
                // The running session goes on: a ratio that cannot be built (no memory, a runtime error) is not worth the recording.
                lock (_gate)
                {
                    _ratioFailure = $"ratio {(wanted.Ratio is { } r ? r.ToString(System.Globalization.CultureInfo.InvariantCulture) : "auto")} could not be built: {e.Message}";
                    // A step down of the live default that failed is not tried again (_stepPending stays set).
                    if (wanted.Version == _ratioVersion) _ratio = _nextMatter?.Ratio ?? _matterRatio;
                }
            }
            finally
            {
                built?.Dispose();
            }
        }
    }

    /// <summary>The numbers so far.</summary>
    public LiveStats Stats
    {
        get
        {
            lock (_gate)
            {
                long now = Stopwatch.GetTimestamp();
                int recent = 0;
                long window = 2 * Stopwatch.Frequency;
                foreach (long t in _recentOutputs)
                    if (t != 0 && now - t <= window) recent++;
                double inSpan = _firstArrival == 0 ? 0 : Seconds(_firstArrival, now);
                double outSpan = _framesOut < 2 ? 0 : Seconds(_firstOutput, _lastOutput);
                return new LiveStats
                {
                    FramesIn = _framesIn,
                    FramesOut = _framesOut,
                    Dropped = _dropped,
                    DroppedAtStart = _droppedAtStart,
                    DroppedLate = _droppedLate,
                    Resets = _resets,
                    RatioChanges = _ratioChanges,
                    SessionsBuilt = _sessionsBuilt,
                    SceneCuts = _sceneCuts,
                    MattedAtHalfSize = _halved && _matterRatio is null,
                    LatencyP50Ms = _latency.Percentile(0.5),
                    LatencyP95Ms = _latency.Percentile(0.95),
                    LatencyMaxMs = _latency.MaxMs,
                    NetworkMs = _framesOut == 0 ? 0 : _networkMsTotal / _framesOut,
                    FpsIn = inSpan > 0 ? (_framesIn - 1) / inSpan : 0,
                    // Frames after the first over the time they took: the rate outputs were written at.
                    FpsOut = outSpan > 0 ? (_framesOut - 1) / outSpan : 0,
                    FpsOutRecent = Math.Max(0, recent - 1) / Math.Min(2.0, Math.Max(inSpan, 1e-9)),
                    FirstOutputMs = _firstOutput == 0 ? 0 : Seconds(_firstArrival, _firstOutput) * 1000,
                    ElapsedSeconds = Seconds(_started, now),
                    DownsampleRatio = _lastRatio,
                    NetworkWidth = _networkSize.Width,
                    NetworkHeight = _networkSize.Height,
                    Width = _frameSize.Width,
                    Height = _frameSize.Height,
                };
            }
        }
    }

    /// <summary>Mattes the frame still waiting, then stops the worker. Rethrows a failure of the session.</summary>
    public void Stop()
    {
        EndWorker();
        lock (_gate) _failure?.Throw();
    }

    private void EndWorker()
    {
        lock (_gate)
        {
            _stopping = true;
            Monitor.PulseAll(_gate);
        }
        if (Thread.CurrentThread != _worker) _worker.Join();
        CompletePrepared();
    }

    private void CompletePrepared()
    {
        TaskCompletionSource[] waiting;
        lock (_gate)
        {
            waiting = _preparing.ToArray();
            _preparing.Clear();
        }
        foreach (var ready in waiting) ready.TrySetResult();
    }

    private void Work()
    {
        try
        {
            while (true)
            {
                LiveSlot? slot;
                (int Width, int Height)? prepare;
                lock (_gate)
                {
                    while (_waiting is null && _prepare is null && !_stopping && _failure is null) Monitor.Wait(_gate);
                    if (_failure is not null) return;
                    prepare = _prepare;
                    _prepare = null;
                    slot = _waiting;
                    _waiting = null;
                    if (slot is null && prepare is null) return; // stopping, nothing left
                    SwapPending();
                }
                if (prepare is { } size && slot is null)
                {
                    if (_selfie is not null) WarmSelfie(size.Width, size.Height);
                    else if (_matterRatio is null && !_calibrated) Calibrate(size.Width, size.Height);
                    else Warm(Rvm, size.Width, size.Height, _matterRatio, _auto.Side);
                    CompletePrepared();
                    continue;
                }
                if (slot is not null) Process(slot);
            }
        }
        catch (Exception e)
        {
            Fail(e);
        }
        finally
        {
            CompletePrepared();
        }
    }

    // The auto side for this CPU: each candidate's session is built, run once, then timed over three blank frames.
    // When even the smallest side is too slow at the frame's size (the full-resolution work is what is left), the
    // frame is matted at half its size instead, and the search runs again there.
    private void Calibrate(int width, int height)
    {
        long start = Stopwatch.GetTimestamp();
        bool fits = CalibrateAt(width, height, start);
        // Also when time ran out before anything fitted (a busy machine): the search at half size then times one side.
        if (!fits && Math.Min(width, height) >= MinHalvedSide)
        {
            var (hw, hh) = HalfResolution.Size(width, height);
            _halved = true;
            CalibrateAt(hw, hh, start);
        }
        Warm(Rvm, width, height, null, _auto.Side);
        _calibrated = true;
    }

    private bool CalibrateAt(int width, int height, long start)
    {
        var blank = new byte[width * height * 3];
        var times = new double[3];
        return _auto.Calibrate(side =>
        {
            double ratio = AutoNetworkSide.Ratio(side, width, height);
            Rvm.ProcessChunkToBytes(blank, 1, width, height, ratio);
            for (int i = 0; i < times.Length; i++)
            {
                long t = Stopwatch.GetTimestamp();
                Rvm.ProcessChunkToBytes(blank, 1, width, height, ratio);
                times[i] = Seconds(t, Stopwatch.GetTimestamp()) * 1000;
            }
            Array.Sort(times);
            return times[1];
        }, 1000.0 / _options.TargetFps, () => Seconds(start, Stopwatch.GetTimestamp()) > CalibrationSeconds);
    }

    /// <summary>
    /// How frames of this size are matted with this ratio (null: the auto side's): at their size, or at half of it
    /// (the auto ratio on a CPU too slow for the frame), and the ratio at that size.
    /// </summary>
    private (int Width, int Height, double Ratio) MattePlan(int width, int height, double? ratio, int side)
    {
        var (w, h) = _halved && ratio is null ? HalfResolution.Size(width, height) : (width, height);
        return (w, h, ratio ?? AutoNetworkSide.Ratio(side, w, h));
    }

    // Under the lock, at a frame boundary: the background, the matter for a new ratio and a state reset take effect.
    private void SwapPending()
    {
        if (_nextBackground is not null)
        {
            _background.Dispose();
            _background = _nextBackground;
            _nextBackground = null;
        }
        if (_nextMatter is { } next)
        {
            _matter?.Dispose();
            _matter = next.Matter;
            _matterRatio = next.Ratio;
            if (next.Ratio is null) _auto.Accept(next.Side);
            _nextMatter = null;
            _stepPending = false;
            _framesSinceSwap = _overloadedFrames = 0;
            _ratioChanges++;
        }
        if (_resetRequested)
        {
            ResetSequence();
            _resetRequested = false;
            _resets++;
        }
    }

    private void Process(LiveSlot slot)
    {
        long start = Stopwatch.GetTimestamp();
        double waitedMs = Seconds(slot.Arrival, start) * 1000;
        double bound = _options.MaxLatency.TotalMilliseconds;
        // Too late to make the bound: a newer frame will do better. (When one frame alone takes longer than the
        // bound nothing could make it, so frames are matted anyway rather than never.)
        if (_framesOut > 0 && _estimateMs < bound && waitedMs + _estimateMs > bound)
        {
            lock (_gate)
            {
                CountDrop(late: true);
                _free.Push(slot);
            }
            return;
        }
        var frame = slot.Frame;
        if (_matterRatio is null && !_calibrated) Calibrate(frame.Width, frame.Height);
        if (_options.ResetOnSceneCut && _cuts.IsCut(frame.Rgb.AsSpan(0, frame.Pixels * 3), frame.Width, frame.Height))
        {
            ResetSequence();
            lock (_gate) _sceneCuts++;
        }
        var rgb = frame.Rgb.AsSpan(0, frame.Pixels * 3);
        double ratio = 1;
        (int Width, int Height) networkSize;
        if (_selfie is not null)
        {
            _selfie.Segment(rgb, frame.Width, frame.Height, frame.Alpha.AsSpan(0, frame.Pixels));
            rgb.CopyTo(frame.Foreground);
            networkSize = _selfie.NetworkSize;
        }
        else
        {
            ratio = MatteRvm(frame, rgb);
            var geometry = Rvm.CurrentGeometry ?? throw new InvalidOperationException("RVM matted a frame without a session");
            networkSize = (geometry.NetworkWidth, geometry.NetworkHeight);
        }
        long matted = Stopwatch.GetTimestamp();
        var live = new LiveFrame(frame, _framesOut, slot.Sequence, TimeSpan.FromMilliseconds(waitedMs), _background.Transparent, _compose);
        _onFrame(live);
        long end = Stopwatch.GetTimestamp();
        lock (_gate)
        {
            double total = Seconds(start, end) * 1000;
            _estimateMs = _framesOut == 0 ? total : 0.8 * _estimateMs + 0.2 * total;
            _networkMsTotal += Seconds(start, matted) * 1000;
            _latency.Add(Seconds(slot.Arrival, end) * 1000);
            if (_framesOut == 0) _firstOutput = end;
            _lastOutput = end;
            _recentOutputs[_framesOut % _recentOutputs.Length] = end;
            _framesOut++;
            _lastRatio = ratio;
            _networkSize = networkSize;
            _free.Push(slot);
            if (_selfie is null) StepDownWhenOverloaded();
        }
    }

    /// <summary>RVM on one frame at the running ratio, at half size when that is the plan; the ratio used.</summary>
    private double MatteRvm(FrameSlot frame, ReadOnlySpan<byte> rgb)
    {
        var (mw, mh, ratio) = MattePlan(frame.Width, frame.Height, _matterRatio, _auto.Side);
        if ((mw, mh) == (frame.Width, frame.Height))
        {
            var result = Rvm.ProcessChunkToBytes(rgb, 1, frame.Width, frame.Height, ratio);
            result.AlphaGray8.CopyTo(frame.Alpha);
            result.ForegroundRgb24.CopyTo(frame.Foreground);
        }
        else
        {
            // Half size: the alpha is enlarged back; the foreground is the input's colour (enlarging the predicted
            // one would cost more than it gains at this size, and the input is its colour wherever alpha is 1).
            if (_halfRgb.Length < mw * mh * 3) _halfRgb = new byte[mw * mh * 3];
            HalfResolution.Reduce(rgb, frame.Width, frame.Height, _halfRgb);
            var result = Rvm.ProcessChunkToBytes(_halfRgb.AsSpan(0, mw * mh * 3), 1, mw, mh, ratio);
            HalfResolution.Enlarge(result.AlphaGray8, frame.Width, frame.Height, frame.Alpha);
            rgb.CopyTo(frame.Foreground);
        }
        return ratio;
    }

    private void ResetSequence()
    {
        if (_selfie is not null) _selfie.Reset();
        else Rvm.Reset();
    }

    // A selfie session for this size, built and run once on a blank frame (the slow first run), then reset.
    private void WarmSelfie(int width, int height)
    {
        _selfie!.Segment(new byte[width * height * 3], width, height, new byte[width * height]);
        _selfie.Reset();
    }

    // Under the lock. With the live default ratio: frames that keep taking longer than they arrive (the encoders
    // and the decoder take more of the cores than the start-up timing saw) lower the network's side a step.
    private void StepDownWhenOverloaded()
    {
        _framesSinceSwap++;
        _overloadedFrames = _intervalMs > 0 && _estimateMs > _intervalMs ? _overloadedFrames + 1 : 0;
        if (_matterRatio is not null || _ratio is not null || _stepPending || _nextMatter is not null) return;
        if (_framesSinceSwap < StepDownAfterFrames || _overloadedFrames < OverloadedFramesToStep) return;
        if (_auto.StepDown(_estimateMs, _intervalMs) is not { } side) return;
        _stepPending = true;
        BuildInBackground(null, side);
    }

    private ReadOnlyMemory<byte> Compose(FrameSlot frame)
    {
        int size = frame.Pixels * (_background.Transparent ? 4 : 3);
        if (_composition.Length < size) _composition = new byte[size];
        _background.Compose(frame, _composition.AsSpan(0, size));
        return _composition.AsMemory(0, size);
    }

    // The first run of a session is the slow one (ORT allocates and plans): done on a blank frame, then forgotten.
    private void Warm(VideoMatter matter, int width, int height, double? ratio, int side)
    {
        var (w, h, r) = MattePlan(width, height, ratio, side);
        matter.ProcessChunkToBytes(new byte[w * h * 3], 1, w, h, r);
        matter.Reset();
    }

    private void CountDrop(bool late)
    {
        _dropped++;
        if (_framesOut == 0) _droppedAtStart++;
        if (late) _droppedLate++;
    }

    private void Fail(Exception e)
    {
        lock (_gate)
        {
            _failure ??= ExceptionDispatchInfo.Capture(e);
            Monitor.PulseAll(_gate);
        }
    }

    private void ThrowIfEnded()
    {
        if (_failure is { } failure) throw new InvalidOperationException($"the live session failed: {failure.SourceException.Message}", failure.SourceException);
        if (_stopping) throw new InvalidOperationException("the live session has stopped");
    }

    // Under the lock: the ratio asked for and the one running must leave the network at least a pixel of this frame.
    private void CheckRatioFits(int width, int height)
    {
        LiveMatterOptions.CheckRatioFits(_ratio, width, height);
        if (_matterRatio != _ratio) LiveMatterOptions.CheckRatioFits(_matterRatio, width, height);
    }

    private void CheckSize(int width, int height)
    {
        if (width <= 0 || height <= 0) throw new ArgumentException($"frame size must be positive, got {width}x{height}");
        if ((long)width * height > _options.MaxPixels)
            throw new ArgumentException($"a frame of {width}x{height} is {(long)width * height} pixels, above the limit of {_options.MaxPixels}");
    }

    private static double Seconds(long from, long to) => (double)(to - from) / Stopwatch.Frequency;

    public void Dispose()
    {
        EndWorker();
        lock (_gate)
        {
            _nextMatter?.Matter.Dispose();
            _nextMatter = null;
            _nextBackground?.Dispose();
        }
        _matter?.Dispose();
        _selfie?.Dispose();
        _background.Dispose();
    }

    private sealed class LiveSlot
    {
        public readonly FrameSlot Frame = new();
        public long Arrival;
        public long Sequence;
    }
}
