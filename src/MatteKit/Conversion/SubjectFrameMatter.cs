using MatteKit.Subjects;

namespace MatteKit.Conversion;

/// <summary>
/// <c>--subject</c>: after the inner matter (RVM or a selfie model) has matted the frames, MoveNet finds the people
/// in each, the tracker follows the chosen one, and alpha is kept inside that person's region only. The summary
/// line says where the subject was lost.
/// </summary>
internal sealed class SubjectFrameMatter : IFrameMatter
{
    private readonly IFrameMatter _inner;
    private readonly PersonDetector _detector;
    private readonly SubjectChoice _choice;
    private SubjectTracker? _tracker;

    private SubjectFrameMatter(IFrameMatter inner, PersonDetector detector, SubjectChoice choice)
    {
        _inner = inner;
        _detector = detector;
        _choice = choice;
    }

    /// <summary>Wraps <paramref name="inner"/>, which it then owns (disposed with it, also when loading fails).</summary>
    public static SubjectFrameMatter Wrap(IFrameMatter inner, SubjectChoice choice, int threads)
    {
        try
        {
            return new SubjectFrameMatter(inner, PersonDetector.Load(threads), choice);
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

    public void Matte(IReadOnlyList<FrameSlot> slots)
    {
        _inner.Matte(slots);
        foreach (var slot in slots)
        {
            _tracker ??= new SubjectTracker(_choice, slot.Width, slot.Height);
            var people = _detector.Detect(slot.Rgb.AsSpan(0, slot.Pixels * 3), slot.Width, slot.Height);
            var state = _tracker.Update(people);
            SubjectMask.Apply(state.Region, slot.Alpha.AsSpan(0, slot.Pixels), slot.Width, slot.Height);
        }
    }

    public string? Describe(int frames)
    {
        var t = _tracker;
        string subject = t?.FirstSeen is not { } first
            ? $"subject ({_choice}): nobody found in {frames} frame(s); alpha is 0 throughout"
            : $"subject ({_choice}): chosen at frame {first}; tracked {t.TrackedFrames}, coasting {t.CoastedFrames}, lost {t.LostFrames} frame(s)" +
              (t.LostSpans.Count > 0 ? $" (alpha 0 at frames {string.Join(", ", t.LostSpans.Select(s => s.First == s.Last ? $"{s.First}" : $"{s.First}-{s.Last}"))})" : "");
        return _inner.Describe(frames) is { } inner ? inner + "; " + subject : subject;
    }

    public void Dispose()
    {
        _inner.Dispose();
        _detector.Dispose();
    }
}
