namespace MatteKit.Subjects;

/// <summary>
/// One person followed by <see cref="PeopleTracker"/>: who they are (an id that never passes to someone else), where
/// they are this frame, how they move, and what they look like.
/// </summary>
internal sealed class PersonTrack
{
    private const int MotionHistory = 8;
    private const float AppearanceWeight = 0.2f;

    // Centres from frames where the person was seen clear of others: their motion is fitted to these.
    private readonly Queue<(int Frame, float X, float Y)> _centres = new();
    private PersonDetection _clear;
    private int _blind;

    /// <summary>Frames of overlap after which a person's position is read from the detections again.</summary>
    public const int MaxBlindFrames = 20;
    private int _clearFrame;

    public PersonTrack(int id, PersonDetection detection, float[]? appearance, int frame)
    {
        Id = id;
        FirstFrame = frame;
        First = detection;
        _clear = detection;
        _clearFrame = frame;
        Detection = detection;
        Appearance = appearance is null ? null : (float[])appearance.Clone();
        Matched = detection;
        _centres.Enqueue((frame, detection.Box.CenterX, detection.Box.CenterY));
    }

    public int Id { get; }
    public int FirstFrame { get; }

    /// <summary>The detection the person was first seen in (at <see cref="FirstFrame"/>).</summary>
    public PersonDetection First { get; }

    /// <summary>
    /// Where someone not yet detected is taken to be (a person entering the frame, before MoveNet sees enough of them):
    /// not seen, followed under no id the tracker gives.
    /// </summary>
    public static PersonTrack Expected(PersonDetection where, int frame)
    {
        var track = new PersonTrack(-1, where, null, frame);
        track.Update(frame, null, null);
        return track;
    }

    /// <summary>
    /// Where the person is this frame: the detection itself when seen clear of others; otherwise the last clear
    /// sighting moved along the person's motion (a detection of someone half hidden, or two people merged into one
    /// box, says little about where each is).
    /// </summary>
    public PersonDetection Detection { get; private set; }

    /// <summary>The detection matched to the person this frame; null when not seen.</summary>
    public PersonDetection? Matched { get; private set; }

    /// <summary>Whether a detection was matched to the person this frame.</summary>
    public bool Seen => Matched is not null;

    /// <summary>The last sighting clear of others, where it was (a person lost for long is looked for there too).</summary>
    public PersonDetection LastClear => _clear;

    /// <summary>
    /// How much of the person's box (or another's, the smaller) the nearest other person's box covers this frame, 0 to
    /// 1; set by the tracker before the position is taken.
    /// </summary>
    public float Crowding { get; set; }

    /// <summary>Whether the person's box overlaps another's this frame (<see cref="PeopleTracker.OverlapShare"/>).</summary>
    public bool Overlapped => Crowding > PeopleTracker.OverlapShare;

    /// <summary>Whether the person is seen this frame with nobody's box near theirs (<see cref="PeopleTracker.ClearShare"/>).</summary>
    public bool SeenClear => Seen && Crowding < PeopleTracker.ClearShare;

    /// <summary>Frames since the person was last seen.</summary>
    public int Missed { get; private set; }

    /// <summary>Whether the person has been seen recently enough to be shown where they are heading.</summary>
    public bool Visible => Missed <= PeopleTracker.GraceFrames;

    /// <summary>Pixels per frame, fitted to the last clear sightings.</summary>
    public (float X, float Y) Velocity { get; private set; }

    /// <summary>Sightings that fit the motion a person came in with (<see cref="EntryVelocity"/>).</summary>
    public const int EntrySightings = 5;

    /// <summary>The motion fitted to the person's first <see cref="EntrySightings"/> clear sightings; null until then.</summary>
    public (float X, float Y)? EntryVelocity { get; private set; }

    /// <summary>The torso's colours, learnt from clear sightings; null when never seen well enough.</summary>
    public float[]? Appearance { get; private set; }

    /// <summary>Where the person should be at <paramref name="frame"/>: the last clear sighting moved by the motion since.</summary>
    public PersonDetection PredictedAt(int frame) => Moved(_clear, Velocity.X * (frame - _clearFrame), Velocity.Y * (frame - _clearFrame));

    /// <summary>Takes this frame's detection (null: not seen).</summary>
    public void Update(int frame, PersonDetection? detection, float[]? appearance)
    {
        Matched = detection;
        Missed = Seen ? 0 : Missed + 1;
        _blind = Overlapped ? _blind + 1 : 0;
        // Past two thirds of a second of overlap (two people walking together, or one standing behind the other) a motion fitted
        // before would carry them off: the detections are taken again.
        if (detection is not null && (!Overlapped || _blind > MaxBlindFrames))
        {
            _clear = detection;
            _clearFrame = frame;
            Detection = detection;
            _centres.Enqueue((frame, detection.Box.CenterX, detection.Box.CenterY));
            while (_centres.Count > MotionHistory) _centres.Dequeue();
            Velocity = FittedVelocity();
            if (EntryVelocity is null && _centres.Count >= EntrySightings) EntryVelocity = Velocity;
            if (appearance is not null && !Overlapped)
            {
                if (Appearance is null) Appearance = (float[])appearance.Clone();
                else TorsoColours.Blend(Appearance, appearance, AppearanceWeight);
            }
            return;
        }
        Detection = PredictedAt(frame);
    }

    /// <summary>Least squares slope of the centres against the frame number (0 from a single sighting).</summary>
    private (float X, float Y) FittedVelocity()
    {
        int n = _centres.Count;
        if (n < 2) return (0, 0);
        double mt = _centres.Average(c => c.Frame), mx = _centres.Average(c => c.X), my = _centres.Average(c => c.Y);
        double stt = 0, stx = 0, sty = 0;
        foreach (var (t, x, y) in _centres)
        {
            stt += (t - mt) * (t - mt);
            stx += (t - mt) * (x - mx);
            sty += (t - mt) * (y - my);
        }
        return stt == 0 ? (0, 0) : ((float)(stx / stt), (float)(sty / stt));
    }

    /// <summary>A detection moved by (<paramref name="dx"/>, <paramref name="dy"/>) pixels.</summary>
    public static PersonDetection Moved(PersonDetection d, float dx, float dy) => d with
    {
        Box = new PersonBox(d.Box.Left + dx, d.Box.Top + dy, d.Box.Right + dx, d.Box.Bottom + dy),
        Keypoints = d.Keypoints.Select(k => k with { X = k.X + dx, Y = k.Y + dy }).ToArray(),
    };
}
