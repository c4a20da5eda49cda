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
    private readonly int _threads;

    // Shared with the runners opened from this one (OpenAnother, a change of ratio): the person followed stays the
    // one chosen, whichever network mattes them.
    private readonly SubjectFollowing _following;

    private SubjectFrameMatter(IFrameMatter inner, PersonDetector detector, int threads, SubjectFollowing following)
    {
        _inner = inner;
        _detector = detector;
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
        try
        {
            return new SubjectFrameMatter(inner, PersonDetector.Load(threads), threads, following);
        }
        catch
        {
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
        bool started = false;
        if (_following.Tracker is null && slots.Count > 0)
        {
            started = true;
            var first = slots[0];
            // A point nobody can stand on is refused before any work: it would give an empty alpha throughout.
            if (choice.Kind == SubjectChoiceKind.Point && !(choice.X < first.Width && choice.Y < first.Height))
                throw new SubjectChoiceException($"Subject {choice}: the point lies outside the frame ({first.Width}x{first.Height}); " +
                    $"give X below {first.Width} and Y below {first.Height}");
            if (choice.Mask is { } mask && (mask.Width, mask.Height) != (first.Width, first.Height))
                throw new SubjectChoiceException($"SubjectMask {choice.MaskPath}: the mask is {mask.Width}x{mask.Height}, the frames " +
                    $"{first.Width}x{first.Height}; give a mask of the first frame at its size");
            _following.Tracker = new SubjectTracker(choice, first.Width, first.Height);
        }
        _inner.Matte(slots);
        // Set above for the first frame; with no frames there is nothing to follow.
        if (_following.Tracker is not { } tracker) return;
        for (int i = 0; i < slots.Count; i++)
        {
            var slot = slots[i];
            var people = _detector.Detect(slot.Rgb.AsSpan(0, slot.Pixels * 3), slot.Width, slot.Height);
            var state = tracker.Update(people);
            // A point is read in the first frame: nobody there means no one was chosen, and a later frame's person
            // at that spot (someone walking in, or across) would be the wrong one. (A choice made on the page waits.)
            if (started && i == 0 && _following.Strict && choice.Kind is SubjectChoiceKind.Point or SubjectChoiceKind.Mask && tracker.FirstSeen is null)
                throw new SubjectChoiceException(NobodyAtThePoint(choice, people, slot.Index));
            if (_following.Strict && choice.Kind == SubjectChoiceKind.Index && tracker.FirstSeen is null)
            {
                // The choice is made in the first frame where anyone is seen: an index past the people there
                // would wait for a crowd that may never come, and end with an empty alpha.
                int seen = people.Count(p => p.Score >= SubjectTracker.AcquireScore);
                if (seen > 0)
                    throw new SubjectChoiceException($"Subject {choice.Index}: {seen} {(seen == 1 ? "person was" : "people were")} detected in frame {slot.Index}, " +
                        $"the first where anyone is seen ({(seen == 1 ? "index 0" : $"indices 0 to {seen - 1}")}); give one of those, largest, center or X,Y");
            }
            SubjectMask.Apply(state.Region, slot.Alpha.AsSpan(0, slot.Pixels), slot.Width, slot.Height);
        }
    }

    private static string NobodyAtThePoint(SubjectChoice choice, IReadOnlyList<PersonDetection> people, long frame)
    {
        // Numbered as N chooses them (best score first), so that the line's numbers can be given back as --subject N.
        var found = people.Where(p => p.Score >= SubjectTracker.AcquireScore).OrderByDescending(p => p.Score).ToList();
        string where = choice.Kind == SubjectChoiceKind.Mask
            ? $"SubjectMask {choice.MaskPath}: no one found in frame {frame}, the frame a mask is of, holds at least {SubjectTracker.MinMaskShare * 100:0}% of the mask in their box; "
            : $"Subject {choice}: nobody stands at that point in frame {frame}, the frame a point is read in; ";
        return found.Count == 0
            ? where + "nobody was found there (give largest, center or N to take the first person seen)"
            : where + $"people found there: {string.Join("; ", found.Select((p, k) => $"{k} at ({p.Box.Left:0},{p.Box.Top:0})-({p.Box.Right:0},{p.Box.Bottom:0})"))} " +
              $"(give {(choice.Kind == SubjectChoiceKind.Mask ? "a mask over" : "a point inside")} one of them, or its number)";
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
            ? $"subject ({choice}): nobody found in {frames} frame(s); alpha is 0 throughout"
            : $"subject ({choice}): chosen at frame {first}; tracked {t.TrackedFrames}, coasting {t.CoastedFrames}, lost {t.LostFrames} frame(s)" +
              (t.LostSpans.Count > 0 ? $" (alpha 0 at frames {string.Join(", ", t.LostSpans.Select(s => s.First == s.Last ? $"{s.First}" : $"{s.First}-{s.Last}"))})" : "");
        return _inner.Describe(frames) is { } inner ? inner + "; " + subject : subject;
    }

    public void Dispose()
    {
        _inner.Dispose();
        _detector.Dispose();
    }
}
