using System.Diagnostics;
using System.Runtime.ExceptionServices;
using MatteKit.Conversion;
using MatteKit.Inference;

namespace MatteKit.Live;

/// <summary>
/// The thread of a <see cref="LiveMatter"/> and what it takes frames from: a few reused slots, at most one frame
/// waiting (a newer one replaces it: the drop policy), frames too late for the latency bound dropped, requests to
/// prepare a size, to reset the state and to change the background taken at frame boundaries. Each frame is matted
/// by the <see cref="LiveRatioController"/> and handed to the frame handler. The session's lock (<c>gate</c>)
/// guards all of it.
/// </summary>
internal sealed class LiveWorker : IDisposable
{
    private const int Buffers = 3; // one being filled, one waiting, one being matted
    private readonly object _gate;
    private readonly LiveRatioController _ratios;
    private readonly LiveCounters _counters;
    private readonly Action<LiveFrame> _onFrame;
    private readonly TimeSpan _maxLatency;
    private readonly bool _resetOnSceneCut;
    private readonly Stack<LiveSlot> _free = new();
    private readonly Thread _thread;
    private readonly SceneCutDetector _cuts = new();
    private readonly List<TaskCompletionSource> _preparing = new();
    private readonly Func<FrameSlot, ReadOnlyMemory<byte>> _compose;
    private CompositionBackground _background;
    private CompositionBackground? _nextBackground;
    private byte[] _composition = Array.Empty<byte>();
    private LiveSlot? _waiting;
    private (int Width, int Height)? _prepare;
    private (int Width, int Height)? _guess; // a size the input may have (the last one remembered), prepared while it opens
    private bool _stopping, _resetRequested;
    private ExceptionDispatchInfo? _failure;

    /// <summary>Starts the thread; <paramref name="background"/> is then owned (disposed with it).</summary>
    public LiveWorker(LiveMatterOptions options, Action<LiveFrame> onFrame, CompositionBackground background, object gate,
        LiveRatioController ratios, LiveCounters counters)
    {
        _gate = gate;
        _ratios = ratios;
        _counters = counters;
        _onFrame = onFrame;
        _maxLatency = options.MaxLatency;
        _resetOnSceneCut = options.ResetOnSceneCut;
        _background = background;
        _compose = Compose;
        for (int i = 0; i < Buffers; i++) _free.Push(new LiveSlot());
        _thread = new Thread(Work) { Name = "mattekit live", IsBackground = true };
        _thread.Start();
    }

    /// <summary>Whether compositions are RGBA (a transparent background); fixed for the session.</summary>
    public bool Transparent => _background.Transparent;

    /// <summary>The background given last.</summary>
    public string Background
    {
        get { lock (_gate) return (_nextBackground ?? _background).Text; }
    }

    /// <summary>See <see cref="LiveMatter.Prepare"/>: the size checked by the caller.</summary>
    public Task Prepare(int width, int height)
    {
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _ratios.CheckRatioFits(width, height);
            if (_stopping || _failure is not null) return Task.CompletedTask;
            _ratios.FrameSize = (width, height);
            _prepare = (width, height);
            _preparing.Add(ready);
            Monitor.PulseAll(_gate);
        }
        return ready.Task;
    }

    /// <summary>
    /// Builds the session for a size the input may turn out to have, while it opens (a stream's size is known only once
    /// it decodes): only where the side for that size is remembered, and nothing is decided by it.
    /// </summary>
    public void PrepareGuess(int width, int height)
    {
        lock (_gate)
        {
            if (_stopping || _failure is not null || _prepare is not null || _ratios.FrameSize.Width != 0) return;
            _guess = (width, height);
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>See <see cref="LiveMatter.Submit"/>: the size and length checked by the caller.</summary>
    public bool Submit(ReadOnlySpan<byte> rgb24, int width, int height)
    {
        long now = Stopwatch.GetTimestamp();
        LiveSlot? slot;
        long sequence;
        lock (_gate)
        {
            ThrowIfEnded();
            _ratios.CheckRatioFits(width, height);
            sequence = _counters.Arrived(now);
            _ratios.FrameSize = (width, height);
            if (!_free.TryPop(out slot))
            {
                _counters.Dropped(late: false);
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
                _counters.Dropped(late: false);
                _free.Push(older);
            }
            _waiting = slot;
            Monitor.PulseAll(_gate);
        }
        return true;
    }

    private (Subjects.SubjectFollowing Following, SubjectChoice? Choice)? _subjectRequest;

    /// <summary>From the next frame on, <paramref name="choice"/> is kept (null: everyone).</summary>
    public void RequestSubject(Subjects.SubjectFollowing following, SubjectChoice? choice)
    {
        lock (_gate) _subjectRequest = (following, choice);
    }

    /// <summary>The subject asked for last, as text ("everyone" for none); null without a detector.</summary>
    public string? SubjectText(Subjects.SubjectFollowing? following)
    {
        if (following is null) return null;
        lock (_gate) return (_subjectRequest is { } asked ? asked.Choice : following.Choice)?.ToString() ?? "everyone";
    }

    /// <summary>The recurrent state is forgotten before the next frame.</summary>
    public void RequestReset()
    {
        lock (_gate) _resetRequested = true;
    }

    /// <summary>The background from the next frame on; taken over. The caller has checked its transparency.</summary>
    public void SetBackground(CompositionBackground next)
    {
        lock (_gate)
        {
            _nextBackground?.Dispose();
            _nextBackground = next;
        }
    }

    /// <summary>Under the lock: throws when the session has failed or stopped.</summary>
    /// <exception cref="InvalidOperationException">It has; a failure is the inner exception.</exception>
    public void ThrowIfEnded()
    {
        if (_failure is { } failure) throw new InvalidOperationException($"the live session failed: {failure.SourceException.Message}", failure.SourceException);
        if (_stopping) throw new InvalidOperationException("the live session has stopped");
    }

    /// <summary>Mattes the frame still waiting, then ends the thread (no more ratio builds start either).</summary>
    public void End()
    {
        lock (_gate)
        {
            _stopping = true;
            _ratios.Stop();
            Monitor.PulseAll(_gate);
        }
        if (Thread.CurrentThread != _thread) _thread.Join();
        CompletePrepared();
    }

    /// <summary>Rethrows the thread's failure, if any.</summary>
    public void ThrowFailure()
    {
        lock (_gate) _failure?.Throw();
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
                (int Width, int Height)? prepare, guess;
                lock (_gate)
                {
                    while (_waiting is null && _prepare is null && _guess is null && !_stopping && _failure is null) Monitor.Wait(_gate);
                    if (_failure is not null) return;
                    prepare = _prepare;
                    _prepare = null;
                    guess = prepare is null ? _guess : null;
                    _guess = null;
                    slot = _waiting;
                    _waiting = null;
                    if (slot is null && prepare is null && guess is null) return; // stopping, nothing left
                    SwapPending();
                }
                if (guess is { } guessed && slot is null)
                {
                    _ratios.PrepareGuess(guessed.Width, guessed.Height);
                    continue;
                }
                if (prepare is { } size && slot is null)
                {
                    _ratios.Prepare(size.Width, size.Height);
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

    // Under the lock, at a frame boundary: the background, the matter for a new ratio and a state reset take effect.
    private void SwapPending()
    {
        if (_nextBackground is not null)
        {
            _background.Dispose();
            _background = _nextBackground;
            _nextBackground = null;
        }
        _ratios.SwapPending();
        if (_subjectRequest is { } subject)
        {
            subject.Following.Choose(subject.Choice);
            _subjectRequest = null;
        }
        if (_resetRequested)
        {
            _ratios.ResetSequence();
            _resetRequested = false;
            _counters.Resets++;
        }
    }

    private void Process(LiveSlot slot)
    {
        long start = Stopwatch.GetTimestamp();
        double waitedMs = LiveCounters.Seconds(slot.Arrival, start) * 1000;
        double bound = _maxLatency.TotalMilliseconds;
        // Too late to make the bound: a newer frame will do better. (When one frame alone takes longer than the
        // bound nothing could make it, so frames are matted anyway rather than never.)
        if (_counters.FramesOut > 0 && _counters.EstimateMs < bound && waitedMs + _counters.EstimateMs > bound)
        {
            lock (_gate)
            {
                _counters.Dropped(late: true);
                _free.Push(slot);
            }
            return;
        }
        var frame = slot.Frame;
        _ratios.EnsureCalibrated(frame.Width, frame.Height);
        if (_resetOnSceneCut && _cuts.IsCut(frame.Rgb.AsSpan(0, frame.Pixels * 3), frame.Width, frame.Height))
        {
            _ratios.ResetSequence();
            lock (_gate) _counters.SceneCuts++;
        }
        _ratios.Matte(frame);
        long matted = Stopwatch.GetTimestamp();
        var live = new LiveFrame(frame, _counters.FramesOut, slot.Sequence, TimeSpan.FromMilliseconds(waitedMs), _background.Transparent, _compose);
        _onFrame(live);
        long end = Stopwatch.GetTimestamp();
        lock (_gate)
        {
            _counters.Output(slot.Arrival, start, matted, end, _ratios.MattedRatio, _ratios.NetworkSize);
            _free.Push(slot);
            _ratios.StepDownWhenOverloaded();
        }
    }

    private ReadOnlyMemory<byte> Compose(FrameSlot frame)
    {
        int size = frame.Pixels * (_background.Transparent ? 4 : 3);
        if (_composition.Length < size) _composition = new byte[size];
        _background.Compose(frame, _composition.AsSpan(0, size));
        return _composition.AsMemory(0, size);
    }

    private void Fail(Exception e)
    {
        lock (_gate)
        {
            _failure ??= ExceptionDispatchInfo.Capture(e);
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>After <see cref="End"/>: the backgrounds are disposed.</summary>
    public void Dispose()
    {
        lock (_gate) _nextBackground?.Dispose();
        _background.Dispose();
    }

    private sealed class LiveSlot
    {
        public readonly FrameSlot Frame = new();
        public long Arrival;
        public long Sequence;
    }
}
