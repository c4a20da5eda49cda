namespace MatteKit.Subjects;

/// <summary>
/// Follows everyone MoveNet finds, each under an id that never passes to someone else. Each frame, detections are
/// matched to people by where each is heading (box overlap and keypoints against their motion) and by what they look
/// like (their torso's colours): a detection whose colours are another's is not taken, which is what keeps two
/// people apart where their paths cross. While two people's boxes overlap, neither's position is read from the
/// detections (one box may hold both, or the one behind is half seen): both move on as they were moving. Someone not
/// seen coasts for <see cref="GraceFrames"/> frames, then is lost until a detection matches where they were lost or
/// what they look like.
/// </summary>
internal sealed class PeopleTracker
{
    /// <summary>Least person score that can start a track.</summary>
    public const float AcquireScore = 0.04f;
    /// <summary>Least person score a matching detection needs once tracking (small or turned people score low).</summary>
    public const float TrackScore = 0.02f;
    /// <summary>Least motion similarity (half box overlap, half keypoint similarity) for a detection to be a person.</summary>
    public const float MatchThreshold = 0.25f;
    /// <summary>Least torso likeness for a detection to be a person whose colours are known.</summary>
    public const float AppearanceGate = 0.6f;
    /// <summary>Torso likeness at which a person is recognised away from where they were heading.</summary>
    public const float RecogniseLikeness = 0.85f;
    public const int GraceFrames = 15;
    /// <summary>Share of the smaller box inside the other at which two people overlap.</summary>
    public const float OverlapShare = 0.3f;
    /// <summary>Share below which a person is clear of everyone (what is seen of them then is theirs alone).</summary>
    public const float ClearShare = 0.05f;
    /// <summary>Share of a new box inside where an overlapped person is heading at which it is that person half seen.</summary>
    public const float SamePlaceShare = 0.8f;
    /// <summary>Frames a lost person is remembered (ten seconds at 30 frames a second).</summary>
    public const int RememberFrames = 300;
    /// <summary>People remembered at once: MoveNet finds at most six a frame, and the lost wait for a while.</summary>
    public const int MaxPeople = 24;

    private readonly List<PersonTrack> _people = new();
    private int _nextId;

    /// <summary>The frame last given to <see cref="Update"/>, counted from 0.</summary>
    public int Frame { get; private set; } = -1;

    /// <summary>Everyone followed now (visible, coasting or lost but remembered).</summary>
    public IReadOnlyList<PersonTrack> People => _people;

    /// <summary>A person that must be remembered however long they are lost (the subject).</summary>
    public PersonTrack? Pinned { get; set; }

    /// <summary>
    /// One frame's detections (any order, any scores) and, for each, its torso colours (<see cref="TorsoColours.Of"/>;
    /// null entries or a null list when not known). Returns the people seen or coasting this frame.
    /// </summary>
    public IReadOnlyList<PersonTrack> Update(IReadOnlyList<PersonDetection> detections, IReadOnlyList<float[]?>? appearances = null)
    {
        if (appearances is not null && appearances.Count != detections.Count)
            throw new ArgumentException($"{appearances.Count} appearances for {detections.Count} detections", nameof(appearances));
        Frame++;
        var predicted = _people.Select(p => p.PredictedAt(Frame)).ToArray();
        MarkOverlaps(predicted);

        var pairs = new List<(float Score, int Person, int Detection)>();
        for (int p = 0; p < _people.Count; p++)
            for (int d = 0; d < detections.Count; d++)
                if (detections[d].Score >= TrackScore && Score(_people[p], predicted[p], detections[d], appearances?[d]) is { } score)
                    pairs.Add((score, p, d));
        var taken = new int?[_people.Count];
        var used = new bool[detections.Count];
        foreach (var (_, p, d) in pairs.OrderByDescending(x => x.Score))
        {
            if (taken[p] is not null || used[d]) continue;
            taken[p] = d;
            used[d] = true;
        }
        for (int p = 0; p < _people.Count; p++)
            _people[p].Update(Frame, taken[p] is { } d ? detections[d] : null, taken[p] is { } e ? appearances?[e] : null);

        for (int d = 0; d < detections.Count; d++)
        {
            if (used[d] || detections[d].Score < AcquireScore) continue;
            // A second box on a body already followed (its keypoints where that person's are) is not a new person: as
            // another person it would take pixels from the one it duplicates. Someone half hidden behind them is.
            if (_people.Any(p => p.Visible && Share(p.Detection.Box, detections[d].Box) > OverlapShare && Similarity(p.Detection, detections[d]) >= MatchThreshold)) continue;
            // While two people overlap their positions are not read from the detections: a box lying where one of
            // them is heading, when no detection was theirs this frame, is that person half seen (keypoints and torso
            // taken from the one in front), not someone new. Beside a person whose own box was found, it is someone
            // behind them.
            if (HeldByAnOverlap(predicted, taken, detections[d].Box)) continue;
            _people.Add(new PersonTrack(_nextId++, detections[d], appearances?[d], Frame));
        }
        _people.RemoveAll(p => p != Pinned && p.Missed > RememberFrames);
        while (_people.Count > MaxPeople) _people.Remove(_people.Where(p => p != Pinned).MaxBy(p => p.Missed)!);
        return _people.Where(p => p.Visible).ToList();
    }

    private bool HeldByAnOverlap(PersonDetection[] predicted, int?[] taken, PersonBox box)
    {
        for (int p = 0; p < predicted.Length; p++)
            if (taken[p] is null && _people[p].Visible && _people[p].Crowding > OverlapShare && Inside(box, predicted[p].Box) >= SamePlaceShare) return true;
        return false;
    }

    private void MarkOverlaps(PersonDetection[] predicted)
    {
        foreach (var p in _people) p.Crowding = 0;
        for (int a = 0; a < _people.Count; a++)
            for (int b = a + 1; b < _people.Count; b++)
                if (_people[a].Visible && _people[b].Visible)
                {
                    float share = Share(predicted[a].Box, predicted[b].Box);
                    _people[a].Crowding = Math.Max(_people[a].Crowding, share);
                    _people[b].Crowding = Math.Max(_people[b].Crowding, share);
                }
    }

    /// <summary>How well a detection fits a person, or null when it cannot be them.</summary>
    private static float? Score(PersonTrack person, PersonDetection predicted, PersonDetection detection, float[]? appearance)
    {
        float motion = Similarity(predicted, detection);
        if (!person.Visible) motion = Math.Max(motion, Similarity(person.LastClear, detection));
        float? likeness = person.Appearance is { } known && appearance is not null ? TorsoColours.Likeness(known, appearance) : null;
        if (likeness is null) return motion >= MatchThreshold ? motion : null;
        if (likeness < AppearanceGate) return null;
        if (motion >= MatchThreshold) return 0.5f * motion + 0.5f * likeness.Value;
        // Away from where the person was heading (they turned back behind someone, or come back after long): their
        // colours alone, ranked below every match that motion supports too.
        return likeness >= RecogniseLikeness ? 0.5f * likeness.Value : null;
    }

    /// <summary>The share of <paramref name="box"/> that lies inside <paramref name="other"/>.</summary>
    private static float Inside(PersonBox box, PersonBox other) => box.Area <= 0 ? 0 : box.Intersection(other) / box.Area;

    /// <summary>The share of the smaller box that lies inside the other (1 when one holds the other).</summary>
    internal static float Share(PersonBox a, PersonBox b)
    {
        float smaller = Math.Min(a.Area, b.Area);
        return smaller <= 0 ? 0 : a.Intersection(b) / smaller;
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
            if (p.Score < Keypoint.ConfidentScore || q.Score < Keypoint.ConfidentScore) continue;
            float d2 = (p.X - q.X) * (p.X - q.X) + (p.Y - q.Y) * (p.Y - q.Y);
            sum += MathF.Exp(-d2 / (2 * scale * scale));
            shared++;
        }
        return shared == 0 ? overlap : 0.5f * overlap + 0.5f * sum / shared;
    }
}
