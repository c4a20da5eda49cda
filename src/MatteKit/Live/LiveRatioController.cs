using System.Diagnostics;
using System.Globalization;
using MatteKit.Inference;

namespace MatteKit.Live;

/// <summary>
/// The network's resolution in a <see cref="LiveMatter"/>, and the runner that mattes at it: the ratio asked for,
/// or the live default's side chosen for this CPU (<see cref="AutoNetworkSide"/>: timed at the first frame size,
/// lowered while running when frames keep taking longer than they arrive, and the frame matted at half its size
/// when even the smallest side is too slow, <see cref="HalfResolution"/>). A change of ratio is a new runner,
/// built and warmed on another thread while the running one goes on, and swapped in at a frame boundary.
/// A runner without a ratio to choose (<see cref="IFrameMatter.HasRatio"/> false: a selfie model) is simply run.
/// Members marked "under the lock" are called with the session's lock (<c>gate</c>) held; the others on the
/// worker's thread.
/// </summary>
internal sealed class LiveRatioController : IDisposable
{
    private const int StepDownAfterFrames = 60;    // frames matted at a side before it may be lowered again
    private const int OverloadedFramesToStep = 30; // frames in a row slower than the input before it is
    private const double CalibrationSeconds = 3;   // the most the search for the auto side goes on (frames wait)
    private const int MinHalvedSide = 240;         // frames smaller than this are not matted at half size
    private readonly object _gate;
    private readonly LiveCounters _counters;
    private readonly double _targetFps;
    private readonly AutoNetworkSide _auto = new();
    private readonly FrameSlot[] _one = new FrameSlot[1];
    private readonly FrameSlot _half = new();
    private IFrameMatter _matter;
    private (IFrameMatter Matter, double? Ratio, int Side)? _nextMatter;
    private (double? Ratio, int Side, long Version)? _buildWanted; // the newest session asked for, not yet being built
    private bool _building; // a session is being built (at most one at a time: each holds hundreds of MB while it warms)
    private bool _stopping;
    private double? _ratio; // asked for; the worker runs _matter at _matterRatio until the session for _ratio is swapped in
    private double? _matterRatio; // null = the auto side's ratio
    private bool _calibrated, _stepPending, _halved;
    private readonly Func<bool> _mayHalve;
    private readonly NetworkSideMemory? _memory; // the side found by earlier runs, or null: search every time
    private readonly string _pipeline;
    private readonly bool _retime; // search even where the memory holds a side
    private long _framesSinceSwap, _overloadedFrames, _ratioVersion;

    /// <summary>
    /// Over <paramref name="matter"/>, which it then owns, starting at <paramref name="ratio"/> (null: the live default).
    /// <paramref name="mayHalve"/>: whether frames may be matted at half their size (not when the runner reads frame
    /// coordinates, as a subject chosen by a point does, or works in the frame's pixels, as the edge controls do), asked
    /// when the size is chosen.
    /// </summary>
    public LiveRatioController(IFrameMatter matter, double? ratio, double targetFps, Func<bool> mayHalve, object gate, LiveCounters counters,
        NetworkSideMemory? memory = null, string pipeline = "", bool retime = false)
    {
        _memory = memory;
        _retime = retime;
        _pipeline = pipeline;
        _matter = matter;
        _mayHalve = mayHalve;
        _gate = gate;
        _counters = counters;
        _targetFps = targetFps;
        _calibrated = !matter.HasRatio; // nothing to choose
        _ratio = _matterRatio = ratio;
    }

    public string WeightsSource => _matter.WeightsSource;

    /// <summary>Under the lock: the ratio asked for (null = the live default).</summary>
    public double? Ratio => _ratio;

    /// <summary>Under the lock: the input's frame size, as the newest frame or <see cref="LiveMatter.Prepare"/> gave it ((0, 0) before).</summary>
    public (int Width, int Height) FrameSize { get; set; }

    /// <summary>Under the lock: why the last change of ratio could not be made; null when none failed.</summary>
    public string? RatioFailure { get; private set; }

    /// <summary>Whether the live default's side came from an earlier run (<see cref="NetworkSideMemory"/>) instead of a search.</summary>
    public bool SideRemembered { get; private set; }

    /// <summary>Under the lock: whether frames are matted at half their size now.</summary>
    public bool MattedAtHalfSize => _halved && _matterRatio is null;

    /// <summary>Under the lock: whether the live default mattes at half the frame's size (now, or again when the default ratio is asked for).</summary>
    public bool HalvesAtDefault => _halved;

    /// <summary>Under the lock: the ratio asked for and the one running must leave the network at least a pixel of this frame.</summary>
    /// <exception cref="ArgumentException">One of them does not.</exception>
    public void CheckRatioFits(int width, int height)
    {
        LiveMatterOptions.CheckRatioFits(_ratio, width, height);
        if (_matterRatio != _ratio) LiveMatterOptions.CheckRatioFits(_matterRatio, width, height);
    }

    /// <summary>Throws where the network has no ratio to change (a selfie model: its input size is fixed).</summary>
    /// <exception cref="ArgumentException">It has none.</exception>
    public void CheckHasRatio()
    {
        // Whether there is a ratio does not change when a runner for another one is swapped in.
        if (!_matter.HasRatio)
            throw new ArgumentException($"{_matter.WeightsSource} runs at its fixed network size ({NetworkSize.Width}x{NetworkSize.Height}); there is no downsample ratio to change");
    }

    /// <summary>Under the lock: asks for another ratio (null: the live default), built in the background once a frame size is known.</summary>
    /// <exception cref="ArgumentException">The ratio shrinks the frame to nothing.</exception>
    public void SetRatio(double? ratio)
    {
        if (FrameSize.Width == 0)
        {
            // No frame yet, so no session to replace: the first frame's session is built at this ratio, and the
            // ratio is checked against that frame (Prepare, Submit) as the options' ratio is.
            _ratio = _matterRatio = ratio;
            return;
        }
        // Checked against the frame: a network of no pixels cannot run.
        LiveMatterOptions.CheckRatioFits(ratio, FrameSize.Width, FrameSize.Height);
        _ratio = ratio;
        BuildInBackground(ratio, _auto.Side);
    }

    /// <summary>
    /// Before frames of this size arrive: with the live default ratio not yet chosen, times the network and chooses
    /// it (a few seconds at most); else builds the session and runs it once.
    /// </summary>
    public void Prepare(int width, int height)
    {
        if (_matterRatio is null && !_calibrated) Calibrate(width, height);
        else Warm(_matter, width, height, _matterRatio, _auto.Side);
    }

    /// <summary>
    /// While the input opens: the session for a size it may have is built now where that size's side is remembered (not
    /// halved), so that the first frames are not dropped while it is built; nothing is chosen by it.
    /// </summary>
    public void PrepareGuess(int width, int height)
    {
        if (_memory is null || _retime || _calibrated || _matterRatio is not null) return;
        if (_memory.Recall(NetworkSideMemory.Key(_matter.WeightsSource, _pipeline, width, height, _targetFps)) is { Halved: false } known)
            Warm(_matter, width, height, null, known.Side);
    }

    /// <summary>The frame size of the newest side remembered for this session's machine, weights, pipeline and rate; null when none.</summary>
    public (int Width, int Height)? RememberedSize()
        => _memory is null || _retime || _matterRatio is not null ? null : _memory.NewestSize(_matter.WeightsSource, _pipeline, _targetFps);

    /// <summary>Before a frame of this size is matted: the live default ratio is chosen if that is still to be done.</summary>
    public void EnsureCalibrated(int width, int height)
    {
        if (_matterRatio is null && !_calibrated) Calibrate(width, height);
    }

    /// <summary>Fills the frame's alpha and foreground at the running ratio.</summary>
    public void Matte(FrameSlot frame)
    {
        var (mw, mh, ratio) = MattePlan(frame.Width, frame.Height, _matterRatio, _auto.Side);
        _matter.Ratio = ratio;
        if ((mw, mh) == (frame.Width, frame.Height))
        {
            MatteOne(_matter, frame);
            return;
        }
        // Half size: the alpha is enlarged back; the foreground is the input's colour (enlarging the predicted
        // one would cost more than it gains at this size, and the input is its colour wherever alpha is 1).
        var rgb = frame.Rgb.AsSpan(0, frame.Pixels * 3);
        (_half.Width, _half.Height) = (mw, mh);
        if (_half.Rgb.Length < mw * mh * 3) _half.Rgb = new byte[mw * mh * 3];
        HalfResolution.Reduce(rgb, frame.Width, frame.Height, _half.Rgb);
        MatteOne(_matter, _half);
        HalfResolution.Enlarge(_half.Alpha.AsSpan(0, _half.Pixels), frame.Width, frame.Height, frame.Alpha);
        rgb.CopyTo(frame.Foreground);
    }

    /// <summary>The downsample ratio of the last frame matted (1 where the network has none).</summary>
    public double MattedRatio => _matter.ResolvedRatio;

    /// <summary>Where the network ran for the last frame.</summary>
    public (int Width, int Height) NetworkSize => _matter.NetworkSize;

    /// <summary>The next frame starts a new sequence (a scene cut, a reset asked for).</summary>
    public void ResetSequence() => _matter.Reset();

    /// <summary>Under the lock, at a frame boundary: the runner built for a new ratio, if ready, takes over.</summary>
    public void SwapPending()
    {
        if (_nextMatter is not { } next) return;
        _matter.Dispose();
        _matter = next.Matter;
        _matterRatio = next.Ratio;
        if (next.Ratio is null) _auto.Accept(next.Side);
        _nextMatter = null;
        _stepPending = false;
        _framesSinceSwap = _overloadedFrames = 0;
        _counters.RatioChanges++;
    }

    /// <summary>
    /// Under the lock, after each frame output. With the live default ratio: frames that keep taking longer than they
    /// arrive (the encoders and the decoder take more of the cores than the start-up timing saw) lower the
    /// network's side a step.
    /// </summary>
    public void StepDownWhenOverloaded()
    {
        if (!_matter.HasRatio) return;
        _framesSinceSwap++;
        double estimateMs = _counters.EstimateMs, intervalMs = _counters.IntervalMs;
        _overloadedFrames = intervalMs > 0 && estimateMs > intervalMs ? _overloadedFrames + 1 : 0;
        if (_matterRatio is not null || _ratio is not null || _stepPending || _nextMatter is not null) return;
        if (_framesSinceSwap < StepDownAfterFrames || _overloadedFrames < OverloadedFramesToStep) return;
        if (_auto.StepDown(estimateMs, intervalMs) is not { } side) return;
        _stepPending = true;
        BuildInBackground(null, side);
    }

    /// <summary>Under the lock: no more builds start; one under way ends unused.</summary>
    public void Stop() => _stopping = true;

    // The auto side for this CPU: each candidate's session is built, run once, then timed over three blank frames.
    // When even the smallest side is too slow at the frame's size (the full-resolution work is what is left), the
    // frame is matted at half its size instead, and the search runs again there.
    private void Calibrate(int width, int height)
    {
        string? key = _memory is null ? null : NetworkSideMemory.Key(_matter.WeightsSource, _pipeline, width, height, _targetFps);
        if (key is not null && !_retime && _memory!.Recall(key) is { } known && (!known.Halved || _mayHalve() && Math.Min(width, height) >= MinHalvedSide)
            && !RoomBeyond(known, width, height))
        {
            // One session built instead of up to four: what a stream's first frames were dropped for.
            _auto.Accept(known.Side);
            lock (_gate) _halved = known.Halved && _mayHalve();
            SideRemembered = true;
        }
        else
        {
            long start = Stopwatch.GetTimestamp();
            bool fits = CalibrateAt(width, height, start);
            // Also when time ran out before anything fitted (a busy machine): the search at half size then times one side.
            // Decided under the lock, where edge controls are set (LiveMatter.SetAlphaEdges): either those come first and
            // the frame is never halved, or the halving does and they are refused.
            bool halve = false;
            if (!fits && Math.Min(width, height) >= MinHalvedSide)
                lock (_gate) halve = _halved = _mayHalve();
            if (halve)
            {
                var (hw, hh) = HalfResolution.Size(width, height);
                CalibrateAt(hw, hh, start);
            }
            if (key is not null) _memory!.Remember(key, _auto.Side, _halved);
        }
        Warm(_matter, width, height, null, _auto.Side);
        _calibrated = true;
    }

    private bool CalibrateAt(int width, int height, long start)
    {
        var blank = FrameSlot.Blank(width, height);
        return _auto.Calibrate(side => TimeAt(side, blank, timings: 3), 1000.0 / _targetFps,
            () => LiveCounters.Seconds(start, Stopwatch.GetTimestamp()) > CalibrationSeconds);
    }

    /// <summary>
    /// Whether a remembered side leaves this machine so much room now that it is searched for again: one remembered
    /// from a run on a busier machine (a build beside it) would otherwise stay, and the side is only ever lowered
    /// while running. Costs three frames of the remembered side's session, which is the one kept when there is no room:
    /// their median, so that one frame slowed by something else on the machine does not keep a small side for good.
    /// A side halved the frame: whether the smallest side fits at the frame's own size now.
    /// </summary>
    private bool RoomBeyond((int Side, bool Halved) known, int width, int height)
    {
        if (!known.Halved && known.Side >= AutoNetworkSide.Largest) return false; // nothing larger to search for: not timed
        var blank = FrameSlot.Blank(width, height);
        double intervalMs = 1000.0 / _targetFps;
        return known.Halved
            ? TimeAt(AutoNetworkSide.Smallest, blank, timings: 3) <= AutoNetworkSide.NetworkShare * intervalMs
            : AutoNetworkSide.HasRoomBeyond(known.Side, TimeAt(known.Side, blank, timings: 3), intervalMs);
    }

    /// <summary>One frame's network time at a side: its session built and run once, then the median of <paramref name="timings"/> runs.</summary>
    private double TimeAt(int side, FrameSlot blank, int timings)
    {
        _matter.Ratio = AutoNetworkSide.Ratio(side, blank.Width, blank.Height);
        MatteOne(_matter, blank);
        var times = new double[timings];
        for (int i = 0; i < times.Length; i++)
        {
            long t = Stopwatch.GetTimestamp();
            MatteOne(_matter, blank);
            times[i] = LiveCounters.Seconds(t, Stopwatch.GetTimestamp()) * 1000;
        }
        Array.Sort(times);
        return times[times.Length / 2];
    }

    /// <summary>
    /// How frames of this size are matted with this ratio (null: the auto side's): at their size, or at half of it
    /// (the auto ratio on a CPU too slow for the frame), and the ratio at that size (null where the network has none).
    /// </summary>
    private (int Width, int Height, double? Ratio) MattePlan(int width, int height, double? ratio, int side)
    {
        if (!_matter.HasRatio) return (width, height, null);
        var (w, h) = _halved && ratio is null ? HalfResolution.Size(width, height) : (width, height);
        return (w, h, ratio ?? AutoNetworkSide.Ratio(side, w, h));
    }

    private void MatteOne(IFrameMatter matter, FrameSlot frame)
    {
        _one[0] = frame;
        matter.Matte(_one);
    }

    // The first run of a session is the slow one (ORT allocates and plans): done on a blank frame, then forgotten.
    private void Warm(IFrameMatter matter, int width, int height, double? ratio, int side)
    {
        var (w, h, r) = MattePlan(width, height, ratio, side);
        matter.Ratio = r;
        matter.Warm(w, h);
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
            IFrameMatter running;
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
                size = FrameSize;
                running = _matter;
                _counters.SessionsBuilt++;
            }
            IFrameMatter? built = null;
            try
            {
                built = running.OpenAnother();
                if (size.Width > 0) Warm(built, size.Width, size.Height, wanted.Ratio, wanted.Side);
                lock (_gate)
                {
                    if (wanted.Version == _ratioVersion && !_stopping)
                    {
                        _nextMatter?.Matter.Dispose();
                        _nextMatter = (built, wanted.Ratio, wanted.Side);
                        RatioFailure = null;
                        built = null;
                    }
                }
            }
            catch (Exception e)
            {
                // The running session goes on: a ratio that cannot be built (no memory, a runtime error) is not worth the recording.
                lock (_gate)
                {
                    RatioFailure = $"ratio {(wanted.Ratio is { } r ? r.ToString(CultureInfo.InvariantCulture) : "auto")} could not be built: {e.Message}";
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

    /// <summary>After the worker has ended (<see cref="Stop"/> called): the runners are disposed.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _nextMatter?.Matter.Dispose();
            _nextMatter = null;
        }
        _matter.Dispose();
    }
}
