using MatteKit.Inference;

namespace MatteKit.Subjects;

/// <summary>
/// <c>--subject</c>: after the inner matter (RVM or a selfie model) has matted the frames, MoveNet finds the people
/// in each, the tracker follows the chosen one, and alpha is kept inside that person's region only. The summary
/// line says where the subject was lost.
/// </summary>
internal sealed class SubjectFrameMatter : IFrameMatter
{
    private readonly IFrameMatter _inner;
    private readonly PersonDetector _detector;
    private readonly PersonSegmenter _segmenter;
    private readonly int _threads;

    // Shared with the runners opened from this one (OpenAnother, a change of ratio): the person followed stays the
    // one chosen, whichever network mattes them.
    private readonly SubjectFollowing _following;

    private SubjectFrameMatter(IFrameMatter inner, PersonDetector detector, PersonSegmenter segmenter, int threads, SubjectFollowing following)
    {
        _inner = inner;
        _detector = detector;
        _segmenter = segmenter;
        _threads = threads;
        _following = following;
    }

    /// <summary>
    /// Wraps <paramref name="inner"/>, which it then owns (disposed with it, also when loading fails), keeping
    /// <paramref name="choice"/> (null: everyone, until <see cref="Following"/> chooses someone).
    /// </summary>
    public static SubjectFrameMatter Wrap(IFrameMatter inner, SubjectChoice? choice, int threads)
        => Wrap(inner, threads, new SubjectFollowing(choice, strict: true));

    private static SubjectFrameMatter Wrap(IFrameMatter inner, int threads, SubjectFollowing following)
    {
        PersonDetector? detector = null;
        try
        {
            detector = PersonDetector.Load(threads);
            return new SubjectFrameMatter(inner, detector, PersonSegmenter.Load(threads), threads, following);
        }
        catch
        {
            detector?.Dispose();
            inner.Dispose();
            throw;
        }
    }

    public int FramesPerCall => _inner.FramesPerCall;
    public double ResolvedRatio => _inner.ResolvedRatio;
    public (int Width, int Height) NetworkSize => _inner.NetworkSize;
    public string WeightsSource => _inner.WeightsSource;
    public bool HasRatio => _inner.HasRatio;

    public double? Ratio
    {
        get => _inner.Ratio;
        set => _inner.Ratio = value;
    }

    /// <summary>The inner matter's state only: the person followed stays the one chosen.</summary>
    public void Reset() => _inner.Reset();

    public IFrameMatter OpenAnother() => Wrap(_inner.OpenAnother(), _threads, _following);

    /// <summary>Whom it keeps, shared with the runners opened from it.</summary>
    public SubjectFollowing Following => _following;

    public void Matte(IReadOnlyList<FrameSlot> slots)
    {
        if (slots.Count > 0 && slots[0].IsBlank)
        {
            MatteBlank(slots);
            return;
        }
        if (_following.Choice is not { } choice)
        {
            _inner.Matte(slots); // everyone
            return;
        }
        if (_following.Tracker is null && slots.Count > 0)
        {
            var first = slots[0];
            _following.Start(choice, first.Width, first.Height);
        }
        _inner.Matte(slots);
        // Set above for the first frame; with no frames there is nothing to follow.
        if (_following is not { Tracker: { } tracker, Ownership: { } ownership }) return;
        for (int i = 0; i < slots.Count; i++)
        {
            var slot = slots[i];
            // A choice made on the page is not checked: it waits for someone to stand at the point.
            var state = tracker.Follow(_detector, slot, check: _following.Strict);
            ownership.Apply(_segmenter, state, tracker.People, slot.Rgb.AsSpan(0, slot.Pixels * 3), slot.Alpha.AsSpan(0, slot.Pixels), slot.Width, slot.Height);
            if (ownership.LastHidden) tracker.Hidden(state.Frame);
        }
    }

    // A frame made up to warm or time the network (live): the detector runs on it as on any frame (its first run
    // and its time are what is wanted), but nobody is followed from it.
    private void MatteBlank(IReadOnlyList<FrameSlot> slots)
    {
        _inner.Matte(slots);
        foreach (var slot in slots) _detector.Detect(slot.Rgb.AsSpan(0, slot.Pixels * 3), slot.Width, slot.Height);
    }

    public string? Describe(int frames)
    {
        if (_following.Choice is not { } choice) return _inner.Describe(frames);
        var t = _following.Tracker;
        string subject = t?.FirstSeen is not { } first
            ? frames <= choice.FrameIndex
                ? $"subject ({choice}): frame {choice.FrameIndex}, which the choice is read in, never came ({frames} frame(s) matted); alpha is 0 throughout"
                : $"subject ({choice}): nobody found in {frames} frame(s); alpha is 0 throughout"
            : $"subject ({choice}): chosen at frame {first}; tracked {t.TrackedFrames}, coasting {t.CoastedFrames}, lost {t.LostFrames} frame(s)" +
              (t.LostSpans.Count > 0 ? $" (alpha 0 at frames {Spans(t.LostSpans, t.LostFrames)})" : "") +
              (t.HiddenSpans.Count > 0 ? $"; hidden behind someone in {t.HiddenFrames} frame(s): {Spans(t.HiddenSpans, t.HiddenFrames)}" : "");
        return _inner.Describe(frames) is { } inner ? inner + "; " + subject : subject;
    }

    /// <summary>The spans kept, and "and more" when the frames they hold are fewer than <paramref name="frames"/>.</summary>
    private static string Spans(IReadOnlyList<(int First, int Last)> spans, int frames)
        => string.Join(", ", spans.Select(s => s.First == s.Last ? $"{s.First}" : $"{s.First}-{s.Last}")) +
           (spans.Sum(s => s.Last - s.First + 1) < frames ? ", and more" : "");

    public void Dispose()
    {
        _inner.Dispose();
        _detector.Dispose();
        _segmenter.Dispose();
    }
}
