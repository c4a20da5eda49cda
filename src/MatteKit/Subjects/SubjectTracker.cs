namespace MatteKit.Subjects;

/// <summary>
/// Follows one person from frame to frame. The subject is chosen (<see cref="SubjectChoice"/>) in the first frame
/// where anyone scores at least <see cref="AcquireScore"/>; afterwards each frame's detections are matched against
/// where it is heading (its last box moved by its recent motion) by box overlap and keypoint similarity, and only a
/// detection that matches is taken: another person is never switched to. Unmatched, the subject coasts for
/// <see cref="GraceFrames"/> frames, then is lost (its region empty) until a detection matches it where it was
/// lost. The region (box and confident keypoints, grown) follows the detections smoothly.
/// </summary>
internal sealed class SubjectTracker
{
    /// <summary>Least person score that can start a track.</summary>
    public const float AcquireScore = 0.04f;
    /// <summary>Least person score a matching detection needs once tracking (small or turned people score low).</summary>
    public const float TrackScore = 0.02f;
    /// <summary>Least similarity (half box overlap, half keypoint similarity) for a detection to be the subject.</summary>
    public const float MatchThreshold = 0.25f;
    public const int GraceFrames = 15;
    private const float KeypointScore = 0.2f;
    private const float Growth = 0.1f;
    private const float RegionSmoothing = 0.5f;
    private const float MotionSmoothing = 0.5f;

    private readonly SubjectChoice _choice;
    private readonly List<(int First, int Last)> _lostSpans = new();
    private PersonDetection? _last;
    private PersonBox? _region;
    private (float X, float Y) _motion;
    private int _frame = -1, _missed;

    private readonly (float X, float Y) _centre;

    /// <param name="choice">Whom to follow.</param>
    /// <param name="frameWidth">The frames' width: <see cref="SubjectChoiceKind.Center"/> means the frame's centre.</param>
    /// <param name="frameHeight">The frames' height.</param>
    public SubjectTracker(SubjectChoice choice, int frameWidth, int frameHeight)
    {
        _choice = choice ?? throw new ArgumentNullException(nameof(choice));
        _centre = (frameWidth / 2f, frameHeight / 2f);
    }

    public SubjectStatus Status { get; private set; } = SubjectStatus.Searching;

    /// <summary>The frame (counted from 0 by <see cref="Update"/>) where the subject was chosen; null while searching.</summary>
    public int? FirstSeen { get; private set; }
    public int TrackedFrames { get; private set; }
    public int CoastedFrames { get; private set; }
    public int LostFrames { get; private set; }

    /// <summary>The frame spans where the subject was lost (region empty), first and last frame of each.</summary>
    public IReadOnlyList<(int First, int Last)> LostSpans => _lostSpans;

    /// <summary>Raised when the subject is lost (after the grace period), with the frame; and when it is found again.</summary>
    public event Action<SubjectStatus, int>? Changed;

    /// <summary>One frame's detections (any order, any scores).</summary>
    public SubjectState Update(IReadOnlyList<PersonDetection> people)
    {
        _frame++;
        if (Status == SubjectStatus.Searching)
        {
            var chosen = Choose(people.Where(p => p.Score >= AcquireScore).OrderByDescending(p => p.Score).ToList());
            if (chosen is null) return new SubjectState(SubjectStatus.Searching, null, null, _frame);
            FirstSeen = _frame;
            Take(chosen, first: true);
            return Result(chosen);
        }

        var predicted = Predicted();
        PersonDetection? match = null;
        float best = MatchThreshold;
        foreach (var p in people)
        {
            if (p.Score < TrackScore) continue;
            float s = Similarity(predicted, p);
            if (s >= best) (best, match) = (s, p);
        }
        if (match is not null)
        {
            if (Status == SubjectStatus.Lost) Changed?.Invoke(SubjectStatus.Tracked, _frame);
            Take(match, first: false);
            return Result(match);
        }

        _missed++;
        if (_missed <= GraceFrames)
        {
            // Coasting: the region keeps moving as the subject was.
            Status = SubjectStatus.Coasting;
            CoastedFrames++;
            var r = _region ?? throw new InvalidOperationException("a subject past searching has a region (Take sets it)");
            _region = new PersonBox(r.Left + _motion.X, r.Top + _motion.Y, r.Right + _motion.X, r.Bottom + _motion.Y);
            return new SubjectState(Status, _region, null, _frame);
        }
        if (Status != SubjectStatus.Lost)
        {
            _lostSpans.Add((_frame, _frame));
            Changed?.Invoke(SubjectStatus.Lost, _frame);
        }
        else
        {
            _lostSpans[^1] = (_lostSpans[^1].First, _frame);
        }
        Status = SubjectStatus.Lost;
        LostFrames++;
        return new SubjectState(Status, null, null, _frame);
    }

    private SubjectState Result(PersonDetection detection) => new(SubjectStatus.Tracked, _region, detection, _frame);

    private PersonDetection? Choose(List<PersonDetection> people)
    {
        if (people.Count == 0) return null;
        switch (_choice.Kind)
        {
            case SubjectChoiceKind.Largest:
                return people.MaxBy(p => p.Box.Area);
            case SubjectChoiceKind.Center:
                return people.MinBy(p => Distance(p.Box.CenterX, p.Box.CenterY, _centre.X, _centre.Y));
            case SubjectChoiceKind.Point:
            {
                var containing = people.Where(p => p.Box.Contains(_choice.X, _choice.Y)).ToList();
                return containing.Count > 0 ? containing.MinBy(p => p.Box.Area) : null;
            }
            case SubjectChoiceKind.Mask:
            {
                // The person whose box holds most of the mask, when that is at least half of it.
                var covered = people.Select(p => (Person: p, Share: MaskShare(p.Box))).Where(c => c.Share >= MinMaskShare).ToList();
                return covered.Count > 0 ? covered.MaxBy(c => c.Share).Person : null;
            }
            default:
                return _choice.Index < people.Count ? people[_choice.Index] : null;
        }
    }

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

    private void Take(PersonDetection detection, bool first)
    {
        var target = RegionOf(detection);
        if (!first && _last is not null)
        {
            float dx = detection.Box.CenterX - _last.Box.CenterX, dy = detection.Box.CenterY - _last.Box.CenterY;
            // Motion per frame, averaged over the frames since the last sighting.
            int frames = _missed + 1;
            _motion = (_motion.X + MotionSmoothing * (dx / frames - _motion.X), _motion.Y + MotionSmoothing * (dy / frames - _motion.Y));
        }
        _region = first || _region is null || Status == SubjectStatus.Lost ? target : Blend(_region.Value, target);
        _last = detection;
        _missed = 0;
        Status = SubjectStatus.Tracked;
        TrackedFrames++;
    }

    /// <summary>The last sighting moved by the motion since: where the subject should be now.</summary>
    private PersonDetection Predicted()
    {
        var last = _last ?? throw new InvalidOperationException("a subject past searching has been seen (Take sets it)");
        int frames = Status == SubjectStatus.Lost ? 0 : _missed + 1;
        float mx = _motion.X * frames, my = _motion.Y * frames;
        var b = last.Box;
        return last with
        {
            Box = new PersonBox(b.Left + mx, b.Top + my, b.Right + mx, b.Bottom + my),
            Keypoints = last.Keypoints.Select(k => k with { X = k.X + mx, Y = k.Y + my }).ToArray(),
        };
    }

    /// <summary>Half the box overlap, half the keypoint similarity (COCO's OKS with a single spread) where both are confident.</summary>
    internal static float Similarity(PersonDetection a, PersonDetection b)
    {
        float overlap = a.Box.Overlap(b.Box);
        float scale = MathF.Sqrt(Math.Max(a.Box.Area, 1f)) * 0.1f, sum = 0;
        int shared = 0;
        for (int k = 0; k < Math.Min(a.Keypoints.Count, b.Keypoints.Count); k++)
        {
            var (p, q) = (a.Keypoints[k], b.Keypoints[k]);
            if (p.Score < KeypointScore || q.Score < KeypointScore) continue;
            float d2 = (p.X - q.X) * (p.X - q.X) + (p.Y - q.Y) * (p.Y - q.Y);
            sum += MathF.Exp(-d2 / (2 * scale * scale));
            shared++;
        }
        return shared == 0 ? overlap : 0.5f * overlap + 0.5f * sum / shared;
    }

    /// <summary>The box and the confident keypoints, grown by a tenth of their size on every side.</summary>
    internal static PersonBox RegionOf(PersonDetection d)
    {
        float left = d.Box.Left, top = d.Box.Top, right = d.Box.Right, bottom = d.Box.Bottom;
        foreach (var k in d.Keypoints)
        {
            if (k.Score < KeypointScore) continue;
            left = Math.Min(left, k.X);
            right = Math.Max(right, k.X);
            top = Math.Min(top, k.Y);
            bottom = Math.Max(bottom, k.Y);
        }
        float gx = (right - left) * Growth, gy = (bottom - top) * Growth;
        return new PersonBox(left - gx, top - gy, right + gx, bottom + gy);
    }

    private static PersonBox Blend(PersonBox a, PersonBox b) => new(
        a.Left + RegionSmoothing * (b.Left - a.Left), a.Top + RegionSmoothing * (b.Top - a.Top),
        a.Right + RegionSmoothing * (b.Right - a.Right), a.Bottom + RegionSmoothing * (b.Bottom - a.Bottom));

    private static float Distance(float x1, float y1, float x2, float y2) => MathF.Sqrt((x1 - x2) * (x1 - x2) + (y1 - y2) * (y1 - y2));
}
