namespace MatteKit.Subjects;

/// <summary>
/// Restricts RVM's alpha to the subject, pixel by pixel. Each person near the subject gets a segmentation mask from
/// BlazePose in their own region (<see cref="PersonSegmenter"/>). A pixel inside one person's mask (above one half) is
/// theirs; inside two, it is the one in front's. Pixels in no mask (hair, fingers and edges the coarse mask misses,
/// and the background, where RVM's alpha is 0 anyway) go to the nearest owner, the subject only within
/// <see cref="ReachShare"/> of their region's side. The subject keeps RVM's alpha on their pixels, 0 elsewhere
/// (<see cref="SubjectKeep"/>: a map of the share kept, made from the frame's colours only).
/// Where two people's boxes overlap heavily a single-person model segments both, so there each person's mask is the
/// one taken when they were last clear of others, moved along with them, and who is in front is decided by which of
/// the two remembered crops matches the frame's colours where the masks overlap (the one in front is the one seen).
/// With fresh masks, who is in front at a pixel is whose mask is surer there. Last, a few pixels either side of where
/// the two meet go to the one whose colours they show (<see cref="PersonColours"/>), when those tell clearly.
/// </summary>
internal sealed class SubjectOwnership
{
    /// <summary>How far from their mask the subject keeps alpha, as a share of their region's side (hair that flies out).</summary>
    public const float ReachShare = 0.08f;
    /// <summary>The pose flag below which a fresh mask is not taken as a person's (MediaPipe drops such people).</summary>
    public const float MinPresence = 0.5f;
    /// <summary>Share of the subject's own mask kept, below which the subject counts as hidden in that frame.</summary>
    public const float VisibleShare = 0.05f;

    private const byte Nobody = 0, Subject = 1, Other = 2;
    // Within SettleByColours only: the pixels of the other person being weighed there.
    private const byte ThisOther = 3;
    /// <summary>The mask value from which a pixel is a person's.</summary>
    public const float Inside = 0.5f;

    // Per person: the crop taken when last seen clear of everyone, where their box's centre was then, and the frame.
    private readonly Dictionary<int, (PersonCrop Crop, float X, float Y, int Frame)> _clear = new();
    // This frame's fresh crops, filled in place (two arrays of a quarter megabyte a person each frame would be
    // garbage): the subject's first, then one for each other person planned.
    private readonly List<PersonCrop> _crops = new();
    // The people near the subject, whether their region reaches the subject's, and their masks' plan.
    private readonly List<(PersonTrack Other, bool Near, MaskPlan Plan)> _nearby = new();
    // The fresh masks of this frame, segmented together.
    private readonly List<PoseRoi> _freshRegions = new();
    private readonly List<PersonCrop> _freshCrops = new();
    private readonly Dictionary<int, (double Other, double Subject)> _depth = new();
    private readonly Dictionary<int, (float X, float Y)> _drift = new();
    // Per person, the colours of their mask when last seen clear of others.
    private readonly Dictionary<int, PersonColours> _colours = new();
    private float[] _subject = [], _other = [];
    private byte[] _owner = [];
    // The frame and the map on the work grid, when that is coarser than the frame.
    private byte[] _workRgb = [];
    private readonly SubjectKeep _workKeep = new();
    private int[] _toSubject = [], _toOther = [];
    // The colours around each person when their mask was last taken clear of everyone (PersonColours, around).
    private readonly Dictionary<int, PersonColours> _around = new();

    /// <summary>Whether, in the last frame, someone else took (almost) all of the subject's mask: the subject was hidden behind them.</summary>
    public bool LastHidden { get; private set; }

    /// <summary>Writes into <paramref name="keep"/> what of this frame is the subject's; nothing when nobody is followed.</summary>
    public void Keep(PersonSegmenter segmenter, SubjectState state, IReadOnlyList<PersonTrack> everyone, ReadOnlySpan<byte> rgb24, int frameWidth, int frameHeight, SubjectKeep keep)
    {
        if (rgb24.Length < (long)frameWidth * frameHeight * 3) throw new ArgumentException($"{rgb24.Length} RGB bytes for {frameWidth}x{frameHeight}", nameof(rgb24));
        Forget(everyone);
        LastHidden = false;
        keep.KeepNothing(frameWidth, frameHeight);
        if (state.Subject is not { } subject) return;
        // Who owns which pixel is worked out on a grid of at most WorkSide pixels a side (every k-th pixel), and the
        // map brought back to the frame: the masks hold 256 pixels across a person, so a finer grid adds time, not detail.
        var frame = new WorkFrame(rgb24, frameWidth, frameHeight);
        int scale = frame.Scale, width = frame.Width, height = frame.Height;
        var rgb = scale == 1 ? rgb24 : frame.Sampled(ref _workRgb);
        int pixels = width * height;
        if (_owner.Length != pixels) (_subject, _other, _owner, _toSubject, _toOther) = (new float[pixels], new float[pixels], new byte[pixels], new int[pixels], new int[pixels]);

        if (PlanMask(subject, frame, rgb, state.Frame, CropAt(0)) is not { } subjectPlan) return;
        _nearby.Clear();
        foreach (var other in state.Others)
        {
            // Only someone whose region reaches the subject's can take the subject's pixels; someone approaching is
            // still segmented while clear of others, so that a mask is remembered for when they come close.
            var region = RegionOf(other, state.Frame);
            if (!region.IsUsable) continue;
            bool near = region.Bounds.Intersects(subjectPlan.Roi.Bounds);
            if (!near && !(other.SeenClear && region.Bounds.Intersects(subjectPlan.Roi.Bounds.Grown(0.5f)))) continue;
            if (PlanMask(other, frame, rgb, state.Frame, CropAt(_nearby.Count + 1)) is { } plan) _nearby.Add((other, near, plan));
        }
        SegmentFresh(segmenter, subjectPlan, rgb24, frame);
        var fs = Taken(subjectPlan, state.Frame);
        var s = fs with { Roi = fs.Roi.Scaled(1f / scale) };
        var box = PixelBox.Within(s.Roi.Bounds, width, height);
        Clear(_subject, box, width);
        CropMask.Render(s.Mask, s.Roi, _subject, width, height);
        long own = 0;
        for (int y = box.Top; y < box.Bottom; y++)
            for (int i = y * width + box.Left, end = y * width + box.Right; i < end; i++)
            {
                bool inside = _subject[i] >= Inside;
                _owner[i] = inside ? Subject : Nobody;
                if (inside) own++;
            }

        foreach (var (other, near, plan) in _nearby)
        {
            // A fresh mask the model itself doubts (its pose flag under one half: nobody there) claims nothing.
            if (Taken(plan, state.Frame) is not { Presence: >= MinPresence } fo || !near) continue;
            var o = fo with { Roi = fo.Roi.Scaled(1f / scale) };
            Clear(_other, box, width);
            CropMask.Render(o.Mask, o.Roi, _other, width, height);
            bool? otherInFront = s.Carried && o.Carried ? InFront(other.Id, o, s, rgb, box, width) : Apart(other.Id);
            // Hands and forearms are what a mask most often misses, and they reach out towards a neighbour: the other
            // person's limbs, where MoveNet sees them clear of the subject, are theirs even inside the subject's mask.
            if (other.Seen && !other.Overlapped && other.Matched is { } seen)
                LimbCapsules.Mark(_owner, Other, seen.Scaled(1f / scale), LimbCapsules.RadiusShare * o.Roi.Side, subject.Matched?.Scaled(1f / scale),
                    LimbCapsules.RadiusShare * s.Roi.Side, box, width);
            // Only where both masks are remembered is one in front (InFront); the gap test reads the other's remembered crop.
            var gap = otherInFront == true ? GapColours(other.Id, subject.Id) : null;
            int left = box.Right, top = box.Bottom, right = box.Left, bottom = box.Top;
            for (int y = box.Top; y < box.Bottom; y++)
                for (int x = box.Left, i = y * width + box.Left; x < box.Right; x++, i++)
                {
                    float mo = _other[i];
                    if (mo < Inside) continue;
                    (left, top, right, bottom) = (Math.Min(left, x), Math.Min(top, y), Math.Max(right, x + 1), Math.Max(bottom, y + 1));
                    if (_owner[i] == Other) continue;
                    // In both masks: the one in front's; with fresh masks, whose mask is surer there.
                    if (gap is { } colours && _owner[i] == Subject && SeenThroughTheOther(colours, o, rgb, i, x, y)) continue;
                    if (_owner[i] == Nobody || (otherInFront ?? mo > _subject[i])) _owner[i] = Other;
                }
            // Both steps weigh only pixels within EdgeBand of this person's own: the box of their mask, grown by
            // that much, holds all of them and every path of the distances that reach that far, so working there
            // gives the same owners as the whole box in a third of the time (bench subject, 640x360).
            if (left >= right) continue;
            var meeting = new PixelBox(left, top, right, bottom).Grown(EdgeBand, box);
            if (otherInFront is not null) SettleEdge(o, s, rgb, meeting, width);
            if (_colours.GetValueOrDefault(other.Id) is { Known: true } otherColours && _colours.GetValueOrDefault(subject.Id) is { Known: true } subjectColours)
                SettleByColours(otherColours, subjectColours, rgb, meeting, width);
        }

        // Pixels in no mask go to the nearest owner: chamfer distances (3 a step, 4 a diagonal) to each.
        ChamferDistance.To(_owner, Subject, _toSubject, box, width);
        ChamferDistance.To(_owner, Other, _toOther, box, width);
        float reach = 3 * ReachShare * s.Roi.Side;
        long kept = 0;
        var grid = scale == 1 ? keep : _workKeep;
        grid.Reset(width, height, box);
        for (int y = box.Top; y < box.Bottom; y++)
        {
            var row = grid.Row(y);
            for (int x = box.Left, i = y * width + box.Left; x < box.Right; x++, i++)
            {
                switch (_owner[i])
                {
                    case Subject:
                        row[x - box.Left] = 255;
                        if (_subject[i] >= Inside) kept++;
                        break;
                    case Other:
                        row[x - box.Left] = 0;
                        break;
                    default:
                        int d = _toSubject[i];
                        // Fades over the last quarter of the reach, so the limit never shows as a line in hair.
                        float share = d >= _toOther[i] ? 0 : Math.Clamp(4 * (1 - d / reach), 0, 1);
                        row[x - box.Left] = (byte)(share * 255 + 0.5f);
                        break;
                }
            }
        }
        if (scale > 1) keep.Upsample(_workKeep, scale, frameWidth, frameHeight);
        LastHidden = own > 0 && kept < VisibleShare * own;
    }

    /// <summary>
    /// Where two remembered masks meet, a few pixels either side of the line between the subject's pixels and the
    /// other's: a remembered mask, moved, misses the person's edge by a few pixels, while the frame shows who is there.
    /// Each such pixel goes to the one whose remembered colours it shows, when those tell clearly.
    /// </summary>
    private void SettleEdge((float[] Mask, byte[] Rgb, PoseRoi Roi, bool Carried, float Presence) other, (float[] Mask, byte[] Rgb, PoseRoi Roi, bool Carried, float Presence) subject,
        ReadOnlySpan<byte> rgb24, PixelBox box, int width)
    {
        ChamferDistance.To(_owner, Subject, _toSubject, box, width);
        ChamferDistance.To(_owner, Other, _toOther, box, width);
        int band = 3 * EdgeBand;
        for (int y = box.Top; y < box.Bottom; y++)
            for (int x = box.Left, i = y * width + box.Left; x < box.Right; x++, i++)
            {
                // Only this other person's pixels: those of someone else were settled against them.
                if (_other[i] < Inside) continue;
                bool near = _owner[i] == Other ? _toSubject[i] <= band : _owner[i] == Subject && _toOther[i] <= band;
                if (!near) continue;
                int toOther = ColourError(rgb24, i, other.Rgb, other.Roi, x, y), toSubject = ColourError(rgb24, i, subject.Rgb, subject.Roi, x, y);
                if (toSubject + SeenMargin < toOther) _owner[i] = Subject;
                else if (toOther + SeenMargin < toSubject) _owner[i] = Other;
            }
    }

    /// <summary>
    /// Where the subject's pixels meet this other person's, whatever the masks: a mask taken beside someone else bleeds
    /// onto them by a few pixels (an arm, a shoulder), and a remembered one slips. Each pixel within
    /// <see cref="EdgeBand"/> of that line goes to the one whose colours (<see cref="PersonColours"/>) it shows, when
    /// one of the two shows it <see cref="ColourOdds"/> times as often; skin beside skin, or clothes alike, stay as the
    /// masks said. Only this person's own pixels (inside their mask) are weighed, and only the subject's pixels near
    /// them: those of anyone else were weighed against that person's colours.
    /// </summary>
    private void SettleByColours(PersonColours other, PersonColours subject, ReadOnlySpan<byte> rgb24, PixelBox box, int width)
    {
        for (int y = box.Top; y < box.Bottom; y++)
            for (int i = y * width + box.Left, end = y * width + box.Right; i < end; i++)
                if (_owner[i] == Other && _other[i] >= Inside) _owner[i] = ThisOther;
        ChamferDistance.To(_owner, Subject, _toSubject, box, width);
        ChamferDistance.To(_owner, ThisOther, _toOther, box, width);
        int band = 3 * EdgeBand;
        float margin = MathF.Log(ColourOdds);
        for (int y = box.Top; y < box.Bottom; y++)
            for (int i = y * width + box.Left, end = y * width + box.Right; i < end; i++)
            {
                byte owner = _owner[i];
                bool near = owner == ThisOther ? _toSubject[i] <= band : owner == Subject && _toOther[i] <= band;
                if (near)
                {
                    float odds = subject.LogShare(rgb24, i) - other.LogShare(rgb24, i);
                    if (odds > margin) owner = Subject;
                    else if (odds < -margin) owner = Other;
                }
                _owner[i] = owner == ThisOther ? Other : owner;
            }
    }

    /// <summary>
    /// How many times more often one person's colours must show a pixel's colour than the other's to give it to them
    /// (measured on the composites against 4.5 and 90 times: docs/selfie-and-subject.md).
    /// </summary>
    private const float ColourOdds = 20;

    /// <summary>Pixels either side of where two remembered masks meet that the frame's colours may give to the other one.</summary>
    private const int EdgeBand = 4;
    /// <summary>How much closer (summed over R, G and B) one remembered colour must be than the other's to say who is seen at a pixel.</summary>
    private const int SeenMargin = 30;

    /// <summary>
    /// Whether a pixel both masks claim, with the other in front, shows the subject through a gap in the other: a
    /// coarse mask fills the gap between an arm and the body, and remembered, it hides whoever stands behind that gap.
    /// It does when the other's remembered crop showed there what was around them (a colour <see cref="ColourOdds"/>
    /// times as common around them as on them), the frame shows something else there now, and that is the subject's
    /// colour (as many times as common on the subject as on the other).
    /// </summary>
    private static bool SeenThroughTheOther((PersonColours Around, PersonColours On, PersonColours Subject) colours,
        (float[] Mask, byte[] Rgb, PoseRoi Roi, bool Carried, float Presence) other, ReadOnlySpan<byte> rgb24, int pixel, int x, int y)
    {
        var (around, on, subject) = colours;
        float margin = MathF.Log(ColourOdds);
        var (u, v) = other.Roi.ToCrop(x + 0.5f, y + 0.5f);
        int c = (Math.Clamp((int)v, 0, PoseRoi.CropSide - 1) * PoseRoi.CropSide + Math.Clamp((int)u, 0, PoseRoi.CropSide - 1)) * 3;
        var (r, g, b) = (other.Rgb[c], other.Rgb[c + 1], other.Rgb[c + 2]);
        return around.LogShare(r, g, b) - on.LogShare(r, g, b) > margin
               && ColourError(rgb24, pixel, other.Rgb, other.Roi, x, y) > 2 * SeenMargin
               && subject.LogShare(rgb24, pixel) - on.LogShare(rgb24, pixel) > margin;
    }

    /// <summary>What <see cref="SeenThroughTheOther"/> weighs: the colours around and on the other, and the subject's; null while any is unknown.</summary>
    private (PersonColours Around, PersonColours On, PersonColours Subject)? GapColours(int otherId, int subjectId)
        => _around.GetValueOrDefault(otherId) is { Known: true } around && _colours.GetValueOrDefault(otherId) is { Known: true } on &&
           _colours.GetValueOrDefault(subjectId) is { Known: true } subject ? (around, on, subject) : null;

    /// <summary>Whether a person's mask this frame is taken now (seen clear of others) or remembered.</summary>
    private static bool Fresh(PersonTrack person) => person.Seen && !person.Overlapped;

    /// <summary>
    /// The region a person's remembered mask lies in now: where it was taken, moved as the person has moved since,
    /// plus the drift found by matching it to the frame in earlier frames.
    /// </summary>
    private PoseRoi RememberedRegion(PersonTrack person, (PersonCrop Crop, float X, float Y, int Frame) remembered)
    {
        var (dx, dy) = _drift.GetValueOrDefault(person.Id);
        var roi = remembered.Crop.Roi;
        return roi with
        {
            CenterX = roi.CenterX + person.Detection.Box.CenterX - remembered.X + dx,
            CenterY = roi.CenterY + person.Detection.Box.CenterY - remembered.Y + dy,
        };
    }

    /// <summary>Where a person's mask lies this frame, without segmenting them.</summary>
    private PoseRoi RegionOf(PersonTrack person, int frame)
        => Remembered(person, frame) is { } remembered ? RememberedRegion(person, remembered) : PoseRoi.FromDetection(person.Detection);

    /// <summary>
    /// What is remembered of a person who is not seen clear of others now, if it is recent: people change pose (a jump,
    /// a turn), and a mask older than <see cref="MaxRememberedAge"/> frames would cut them where they are now.
    /// </summary>
    private (PersonCrop Crop, float X, float Y, int Frame)? Remembered(PersonTrack person, int frame)
        => !Fresh(person) && _clear.TryGetValue(person.Id, out var remembered) && frame - remembered.Frame <= MaxRememberedAge ? remembered : null;

    /// <summary>Frames a remembered mask stands in for a person's own (two thirds of a second at 30 frames a second).</summary>
    public const int MaxRememberedAge = 20;

    /// <summary>
    /// Where a person's mask comes from this frame: taken now when they are seen clear of others (segmented, with the
    /// others taken now, by <see cref="SegmentFresh"/>), else the one remembered from then, moved with them; null when
    /// their region cannot be cropped.
    /// </summary>
    /// <param name="person">Whose mask.</param>
    /// <param name="frame">The frame's size and the grid the ownership is worked out on.</param>
    /// <param name="grid">The frame on that grid, which a remembered crop is aligned to.</param>
    /// <param name="index">The frame's index.</param>
    /// <param name="scratch">Where a fresh crop goes.</param>
    private MaskPlan? PlanMask(PersonTrack person, WorkFrame frame, ReadOnlySpan<byte> grid, int index, PersonCrop scratch)
    {
        if (Remembered(person, index) is { } remembered)
        {
            // A motion fitted to a few frames drifts: the remembered crop is matched to the frame each time.
            var moved = RememberedRegion(person, remembered);
            if (!moved.IsUsable) return null;
            var (gx, gy) = RememberedAlignment.Shift(remembered.Crop, moved.Scaled(1f / frame.Scale), grid, frame.Width, frame.Height);
            var (sx, sy) = (gx * frame.Scale, gy * frame.Scale);
            var (dx, dy) = _drift.GetValueOrDefault(person.Id);
            _drift[person.Id] = (dx + sx, dy + sy);
            return new MaskPlan(person, moved with { CenterX = moved.CenterX + sx, CenterY = moved.CenterY + sy }, remembered.Crop);
        }
        _drift.Remove(person.Id);
        var roi = PoseRoi.FromDetection(person.Detection);
        return roi.IsUsable ? new MaskPlan(person, roi, scratch, Fresh: true) : null;
    }

    /// <summary>Segments, side by side, the subject and the people near them whose masks are taken this frame.</summary>
    private void SegmentFresh(PersonSegmenter segmenter, MaskPlan subject, ReadOnlySpan<byte> rgb24, WorkFrame frame)
    {
        _freshRegions.Clear();
        _freshCrops.Clear();
        foreach (var plan in _nearby.Select(n => n.Plan).Prepend(subject).Where(p => p.Fresh))
        {
            _freshRegions.Add(plan.Roi);
            _freshCrops.Add(plan.Crop);
        }
        segmenter.SegmentAll(rgb24, frame.FrameWidth, frame.FrameHeight, _freshRegions, _freshCrops);
    }

    /// <summary>A person's mask this frame, once <see cref="SegmentFresh"/> has run: its colours and its region in frame pixels.</summary>
    private (float[] Mask, byte[] Rgb, PoseRoi Roi, bool Carried, float Presence) Taken(MaskPlan plan, int index)
    {
        if (!plan.Fresh) return (plan.Crop.Mask, plan.Crop.Rgb, plan.Roi, true, 1);
        // Only a mask taken with nobody near is remembered: close to someone, the model's mask may hold part of them.
        var person = plan.Person;
        if (person.SeenClear)
        {
            var kept = _clear.TryGetValue(person.Id, out var known) ? known.Crop : PersonCrop.Blank();
            kept.CopyFrom(plan.Crop);
            _clear[person.Id] = (kept, person.Detection.Box.CenterX, person.Detection.Box.CenterY, index);
            if (!_colours.TryGetValue(person.Id, out var colours)) _colours[person.Id] = colours = new PersonColours();
            colours.Take(kept);
            if (!_around.TryGetValue(person.Id, out var around)) _around[person.Id] = around = new PersonColours(around: true);
            around.Take(kept);
        }
        return (plan.Crop.Mask, plan.Crop.Rgb, plan.Roi, false, plan.Crop.Presence);
    }

    /// <summary>The <paramref name="index"/>-th of this frame's fresh crops.</summary>
    private PersonCrop CropAt(int index)
    {
        while (_crops.Count <= index) _crops.Add(PersonCrop.Blank());
        return _crops[index];
    }

    /// <summary>A person's mask: the crop remembered, at its region moved to this frame, or the one to fill this frame (fresh).</summary>
    private readonly record struct MaskPlan(PersonTrack Person, PoseRoi Roi, PersonCrop Crop, bool Fresh = false);

    /// <summary>
    /// Whether the other person is in front of the subject: over the pixels both remembered masks claim, the one in
    /// front is the one whose remembered colours the frame shows.
    /// </summary>
    private bool InFront(int otherId, (float[] Mask, byte[] Rgb, PoseRoi Roi, bool Carried, float Presence) other, (float[] Mask, byte[] Rgb, PoseRoi Roi, bool Carried, float Presence) subject,
        ReadOnlySpan<byte> rgb24, PixelBox box, int width)
    {
        // Summed over the frames the two have overlapped: where their paths first meet the shared pixels are few.
        var (otherError, subjectError) = _depth.GetValueOrDefault(otherId);
        for (int y = box.Top; y < box.Bottom; y += 2)
            for (int x = box.Left; x < box.Right; x += 2)
            {
                int i = y * width + x;
                if (_subject[i] < Inside || _other[i] < Inside) continue;
                otherError += ColourError(rgb24, i, other.Rgb, other.Roi, x, y);
                subjectError += ColourError(rgb24, i, subject.Rgb, subject.Roi, x, y);
            }
        _depth[otherId] = (otherError, subjectError);
        // Cutting the chosen person is the worse mistake: the other is in front only when their colours tell clearly.
        return otherError < FrontEvidence * subjectError;
    }

    /// <summary>How much better the other's remembered colours must match the overlap than the subject's to put them in front.</summary>
    private const double FrontEvidence = 0.8;

    /// <summary>Forgets who was in front of the subject once the two no longer overlap; null (decided pixel by pixel).</summary>
    private bool? Apart(int otherId)
    {
        _depth.Remove(otherId);
        return null;
    }

    private static int ColourError(ReadOnlySpan<byte> rgb24, int pixel, byte[] crop, PoseRoi roi, int x, int y)
    {
        var (u, v) = roi.ToCrop(x + 0.5f, y + 0.5f);
        int cu = Math.Clamp((int)u, 0, PoseRoi.CropSide - 1), cv = Math.Clamp((int)v, 0, PoseRoi.CropSide - 1);
        int c = (cv * PoseRoi.CropSide + cu) * 3, f = pixel * 3;
        return Math.Abs(rgb24[f] - crop[c]) + Math.Abs(rgb24[f + 1] - crop[c + 1]) + Math.Abs(rgb24[f + 2] - crop[c + 2]);
    }

    /// <summary>Drops what is remembered of people the tracker no longer follows.</summary>
    private void Forget(IReadOnlyList<PersonTrack> everyone)
    {
        ForgetGone(_clear, everyone);
        ForgetGone(_depth, everyone);
        ForgetGone(_drift, everyone);
        ForgetGone(_colours, everyone);
        ForgetGone(_around, everyone);
    }

    // Removing while enumerating a dictionary's keys is allowed since .NET Core 3.0; no list a frame.
    private static void ForgetGone<T>(Dictionary<int, T> known, IReadOnlyList<PersonTrack> everyone)
    {
        foreach (int id in known.Keys)
        {
            bool followed = false;
            for (int p = 0; p < everyone.Count && !followed; p++) followed = everyone[p].Id == id;
            if (!followed) known.Remove(id);
        }
    }

    private static void Clear(float[] buffer, PixelBox box, int width)
    {
        for (int y = box.Top; y < box.Bottom; y++) buffer.AsSpan(y * width + box.Left, box.Right - box.Left).Clear();
    }
}
