using MatteKit.Inference;

namespace MatteKit.Subjects;

/// <summary>
/// <c>--subject</c>: after the inner matter (RVM or a selfie model) has matted the frames, MoveNet finds the people
/// in each, the tracker follows the chosen one, and alpha is kept inside that person's region only. The summary
/// line says where the subject was lost.
/// </summary>
internal sealed class SubjectFrameMatter : FrameMatterWrapper
{
    private readonly PersonDetector _detector;
    private readonly PersonSegmenter _segmenter;
    private readonly int _threads;

    // Shared with the runners opened from this one (OpenAnother, a change of ratio): the person followed stays the
    // one chosen, whichever network mattes them.
    private readonly SubjectFollowing _following;
    private readonly SubjectKeep _keep = new();

    private SubjectFrameMatter(IFrameMatter inner, PersonDetector detector, PersonSegmenter segmenter, int threads, SubjectFollowing following)
        : base(inner)
    {
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


    public override IFrameMatter OpenAnother() => Wrap(Inner.OpenAnother(), _threads, _following);

    /// <summary>Whom it keeps, shared with the runners opened from it.</summary>
    public SubjectFollowing Following => _following;

    public override void Matte(IReadOnlyList<FrameSlot> slots)
    {
        if (slots.Count > 0 && slots[0].IsBlank)
        {
            MatteBlank(slots);
            return;
        }
        Inner.Matte(slots);
        if (_following.Choice is null) return; // everyone
        foreach (var slot in slots)
        {
            // A warm-up frame primes the network only: it is never written, and the people are followed in order.
            if (slot.Warmup) continue;
            _following.Keep(_detector, _segmenter, slot, _keep);
            _keep.ApplyTo(slot);
        }
    }

    // A frame made up to warm or time the network (live): the detector runs on it as on any frame (its first run
    // and its time are what is wanted), but nobody is followed from it.
    private void MatteBlank(IReadOnlyList<FrameSlot> slots)
    {
        Inner.Matte(slots);
        foreach (var slot in slots) _detector.Detect(slot.Rgb.AsSpan(0, slot.Pixels * 3), slot.Width, slot.Height);
    }

    protected override string? DescribeOwn(int frames) => _following.Describe(frames);

    public override void Dispose()
    {
        base.Dispose();
        _detector.Dispose();
        _segmenter.Dispose();
    }
}
