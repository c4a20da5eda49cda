using MatteKit.Inference;

namespace MatteKit.Subjects;

/// <summary>
/// Follows the chosen person among everyone <see cref="PeopleTracker"/> follows. The subject is chosen
/// (<see cref="SubjectChoice"/>) in the first frame from the choice's <see cref="SubjectChoice.FrameIndex"/> on where
/// anyone scores at least <see cref="PeopleTracker.AcquireScore"/> (or is the track a pass before found);
/// from then on the subject is that person's track, so another person is never switched to: when the subject is not
/// seen they coast for <see cref="PeopleTracker.GraceFrames"/> frames, then are lost (nothing kept) until the tracker
/// recognises them again.
/// </summary>
internal sealed class SubjectTracker
{
    private const float Growth = 0.1f;

    private readonly SubjectChoice _choice;
    private readonly PeopleTracker _people = new();
    private readonly List<(int First, int Last)> _lostSpans = new(), _hiddenSpans = new();
    private readonly (float X, float Y) _centre;
    private PersonTrack? _subject;

    /// <param name="choice">Whom to follow.</param>
    /// <param name="frameWidth">The frames' width: <see cref="SubjectChoiceKind.Center"/> means the frame's centre.</param>
    /// <param name="frameHeight">The frames' height.</param>
    public SubjectTracker(SubjectChoice choice, int frameWidth, int frameHeight)
    {
        _choice = choice ?? throw new ArgumentNullException(nameof(choice));
        if (choice.NeedsRate) throw new ArgumentException($"{choice}: the time is turned into a frame once the frame rate is known (SubjectChoice.AtRate)", nameof(choice));
        _centre = (frameWidth / 2f, frameHeight / 2f);
    }

    /// <summary>The frame the next <see cref="Update"/> follows, counted from 0.</summary>
    public int NextFrame => _people.Frame + 1;

    /// <summary>The id of the person followed as the subject; null while searching.</summary>
    public int? SubjectId => _subject?.Id;

    /// <summary>The person followed as the subject; null while searching.</summary>
    public PersonTrack? Subject => _subject;

    /// <summary>Everyone followed, the subject among them.</summary>
    public IReadOnlyList<PersonTrack> People => _people.People;

    public SubjectStatus Status { get; private set; } = SubjectStatus.Searching;

    /// <summary>The frame (counted from 0 by <see cref="Update"/>) where the subject was chosen; null while searching.</summary>
    public int? FirstSeen { get; private set; }
    public int TrackedFrames { get; private set; }
    public int CoastedFrames { get; private set; }
    public int LostFrames { get; private set; }

    /// <summary>The frame spans where the subject was lost (nothing kept), first and last frame of each.</summary>
    public IReadOnlyList<(int First, int Last)> LostSpans => _lostSpans;

    /// <summary>The frame spans where the subject was followed but hidden behind someone (nothing of them kept).</summary>
    public IReadOnlyList<(int First, int Last)> HiddenSpans => _hiddenSpans;

    /// <summary>Notes that the subject, followed at <paramref name="frame"/>, was hidden there.</summary>
    public void Hidden(int frame)
    {
        HiddenFrames++;
        if (_hiddenSpans.Count > 0 && _hiddenSpans[^1].Last == frame - 1) _hiddenSpans[^1] = (_hiddenSpans[^1].First, frame);
        else if (_hiddenSpans.Count < MaxSpans) _hiddenSpans.Add((frame, frame));
    }

    /// <summary>Frames where the subject was hidden behind someone (all of them, also past the spans kept).</summary>
    public int HiddenFrames { get; private set; }

    /// <summary>Spans kept of each kind: the summary lists these, and a long stream must not grow them without end.</summary>
    public const int MaxSpans = 20;

    /// <summary>Raised when the subject is lost (after the grace period), with the frame; and when it is found again.</summary>
    public event Action<SubjectStatus, int>? Changed;

    /// <summary>
    /// Finds the people in one frame and follows them. With <paramref name="check"/> (the user named someone) a choice
    /// that cannot name anyone fails with one line (<see cref="SubjectChoiceCheck"/>): a point or mask that does not fit
    /// the frame it is read in, or nobody there.
    /// </summary>
    public SubjectState Follow(PersonDetector detector, FrameSlot slot, bool check)
    {
        // A point or a mask is of the frame it is read in (a folder's images may differ in size).
        if (check && SubjectId is null && NextFrame == _choice.FrameIndex) SubjectChoiceCheck.Fits(_choice, slot.Width, slot.Height);
        var rgb24 = slot.Rgb.AsSpan(0, slot.Pixels * 3);
        var people = detector.Detect(rgb24, slot.Width, slot.Height);
        var colours = new float[]?[people.Count];
        for (int p = 0; p < people.Count; p++) colours[p] = TorsoColours.Of(rgb24, slot.Width, slot.Height, people[p]);
        var state = Update(people, colours);
        // Frames are counted as followed (live drops some: there N is the N-th frame matted).
        if (check) SubjectChoiceCheck.AfterFrame(_choice, this, people, state.Frame, state.Frame);
        return state;
    }

    /// <summary>One frame's detections (any order, any scores) and their torso colours (see <see cref="PeopleTracker.Update"/>).</summary>
    public SubjectState Update(IReadOnlyList<PersonDetection> people, IReadOnlyList<float[]?>? appearances = null)
    {
        var visible = _people.Update(people, appearances);
        int frame = _people.Frame;
        if (_subject is null && _choice.Kind == SubjectChoiceKind.Track)
        {
            _subject = visible.FirstOrDefault(p => p.Id == _choice.TrackId);
            if (_subject is null)
            {
                // Both passes follow the same frames the same way; a person the pass before found and this one has
                // not met by then would leave the output empty without a word.
                if (frame >= _choice.FoundAt)
                    throw new InvalidOperationException($"the person followed as {_choice} (id {_choice.TrackId}) by the pass before was not met again by frame {_choice.FoundAt}");
                // Walking in, before MoveNet saw enough of them: where their motion says they were.
                if (_choice.Entry?.At(frame) is not { } expected) return new SubjectState(SubjectStatus.Searching, null, null, frame, null, visible);
                CoastedFrames++;
                return new SubjectState(SubjectStatus.Coasting, RegionOf(expected), null, frame, PersonTrack.Expected(expected, frame), visible);
            }
            _people.Pinned = _subject;
            FirstSeen = frame;
        }
        if (_subject is null)
        {
            // Before the frame the choice is read in, everyone is followed and nobody chosen.
            if (frame < _choice.FrameIndex) return new SubjectState(SubjectStatus.Searching, null, null, frame, null, visible);
            _subject = Choose(visible.Where(p => p.Matched is { } m && m.Score >= PeopleTracker.AcquireScore)
                .OrderByDescending(p => p.Matched!.Score).ToList());
            if (_subject is null) return new SubjectState(SubjectStatus.Searching, null, null, frame, null, visible);
            _people.Pinned = _subject;
            FirstSeen = frame;
        }
        var others = visible.Where(p => p != _subject).ToList();
        if (_subject.Seen)
        {
            if (Status == SubjectStatus.Lost) Changed?.Invoke(SubjectStatus.Tracked, frame);
            Status = SubjectStatus.Tracked;
            TrackedFrames++;
            return new SubjectState(Status, RegionOf(_subject.Detection), _subject.Matched, frame, _subject, others);
        }
        if (_subject.Visible)
        {
            Status = SubjectStatus.Coasting;
            CoastedFrames++;
            return new SubjectState(Status, RegionOf(_subject.Detection), null, frame, _subject, others);
        }
        if (Status != SubjectStatus.Lost)
        {
            if (_lostSpans.Count < MaxSpans) _lostSpans.Add((frame, frame));
            Changed?.Invoke(SubjectStatus.Lost, frame);
        }
        else if (_lostSpans.Count > 0 && _lostSpans[^1].Last == frame - 1)
        {
            _lostSpans[^1] = (_lostSpans[^1].First, frame);
        }
        Status = SubjectStatus.Lost;
        LostFrames++;
        return new SubjectState(Status, null, null, frame, null, others);
    }

    /// <summary>The person the choice names among those seen this frame (best score first), or null.</summary>
    private PersonTrack? Choose(List<PersonTrack> people)
    {
        if (people.Count == 0) return null;
        switch (_choice.Kind)
        {
            case SubjectChoiceKind.Largest:
                return people.MaxBy(p => Seen(p).Area);
            case SubjectChoiceKind.Center:
                return people.MinBy(p => Distance(Seen(p).CenterX, Seen(p).CenterY, _centre.X, _centre.Y));
            case SubjectChoiceKind.Point:
            {
                var containing = people.Where(p => Seen(p).Contains(_choice.X, _choice.Y)).ToList();
                return containing.Count > 0 ? containing.MinBy(p => Seen(p).Area) : null;
            }
            case SubjectChoiceKind.Mask:
            {
                // The person whose box holds most of the mask, when that is at least half of it.
                var covered = people.Select(p => (Person: p, Share: MaskShare(Seen(p)))).Where(c => c.Share >= MinMaskShare).ToList();
                return covered.Count > 0 ? covered.MaxBy(c => c.Share).Person : null;
            }
            default:
                return _choice.Index < people.Count ? people[_choice.Index] : null;
        }
    }

    /// <summary>The box detected this frame (what the user saw, and what a refusal lists), not where the tracker puts them.</summary>
    private static PersonBox Seen(PersonTrack person) => (person.Matched ?? person.Detection).Box;

    /// <summary>The least share of a subject mask's pixels a person's box must hold to be the one it marks.</summary>
    public const double MinMaskShare = 0.5;

    private double MaskShare(PersonBox box)
    {
        var mask = _choice.Mask ?? throw new InvalidOperationException("a mask choice carries its mask");
        int left = Math.Clamp((int)box.Left, 0, mask.Width), right = Math.Clamp((int)Math.Ceiling(box.Right), 0, mask.Width);
        int top = Math.Clamp((int)box.Top, 0, mask.Height), bottom = Math.Clamp((int)Math.Ceiling(box.Bottom), 0, mask.Height);
        long inside = 0;
        for (int y = top; y < bottom && right > left; y++) inside += SubjectChoice.Marked(mask.Pixels.AsSpan(y * mask.Width + left, right - left));
        return _choice.MaskMarked == 0 ? 0 : (double)inside / _choice.MaskMarked;
    }

    /// <summary>The box and the confident keypoints, grown by a tenth of their size on every side.</summary>
    internal static PersonBox RegionOf(PersonDetection d)
    {
        float left = d.Box.Left, top = d.Box.Top, right = d.Box.Right, bottom = d.Box.Bottom;
        foreach (var k in d.Keypoints)
        {
            if (k.Score < Keypoint.ConfidentScore) continue;
            left = Math.Min(left, k.X);
            right = Math.Max(right, k.X);
            top = Math.Min(top, k.Y);
            bottom = Math.Max(bottom, k.Y);
        }
        float gx = (right - left) * Growth, gy = (bottom - top) * Growth;
        return new PersonBox(left - gx, top - gy, right + gx, bottom + gy);
    }

    private static float Distance(float x1, float y1, float x2, float y2) => MathF.Sqrt((x1 - x2) * (x1 - x2) + (y1 - y2) * (y1 - y2));
}
