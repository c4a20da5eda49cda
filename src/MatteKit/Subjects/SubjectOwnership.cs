namespace MatteKit.Subjects;

/// <summary>
/// Restricts RVM's alpha to the subject, pixel by pixel. Each person near the subject gets a segmentation mask from
/// BlazePose in their own region (<see cref="PersonSegmenter"/>); the subject keeps RVM's alpha inside their mask
/// (grown a little, so hair and edges that the coarse mask misses keep RVM's values) and loses it where another
/// person's mask says the pixel is theirs:
/// <code>keep = grown(m_s) * product over others o of (o in front ? 1 - m_o : 1 - m_o * (1 - m_s))</code>
/// Where two people's boxes overlap heavily a single-person model segments both, so there each person's mask is the
/// one taken when they were last clear of others, moved along with them, and who is in front is decided by which of
/// the two remembered crops matches the frame's colours where the masks overlap (the one in front is the one seen).
/// </summary>
internal sealed class SubjectOwnership
{
    /// <summary>How far the subject's mask is grown, in pixels of the 256-pixel crop (a few pixels of the frame).</summary>
    public const int GrowCropPixels = 3;
    /// <summary>Share of the subject's own mask kept, below which the subject counts as hidden in that frame.</summary>
    public const float VisibleShare = 0.05f;

    private readonly Dictionary<int, PersonCrop> _clear = new();
    private float[] _grown = [], _subject = [], _other = [], _keep = [];
    private readonly float[] _grownCrop = new float[PoseRoi.CropSide * PoseRoi.CropSide];
    private readonly float[] _rowMax = new float[PoseRoi.CropSide * PoseRoi.CropSide];

    /// <summary>The share of the subject's mask kept in the last frame (0 when not followed).</summary>
    public float LastVisibleShare { get; private set; }

    /// <summary>Multiplies <paramref name="alpha"/> by what is the subject's in this frame; clears it when nobody is followed.</summary>
    public void Apply(PersonSegmenter segmenter, SubjectState state, IReadOnlyList<PersonTrack> everyone, ReadOnlySpan<byte> rgb24, Span<byte> alpha, int width, int height)
    {
        if (alpha.Length != (long)width * height) throw new ArgumentException($"alpha of {alpha.Length} bytes for {width}x{height}", nameof(alpha));
        Forget(everyone);
        LastVisibleShare = 0;
        if (state.Subject is not { } subject)
        {
            alpha.Clear();
            return;
        }
        int pixels = width * height;
        if (_keep.Length != pixels) (_grown, _subject, _other, _keep) = (new float[pixels], new float[pixels], new float[pixels], new float[pixels]);

        var s = CropOf(segmenter, subject, rgb24, width, height);
        var box = Clip(s.Roi.Bounds, width, height);
        Grow(s.Mask);
        Clear(_grown, box, width);
        Clear(_subject, box, width);
        CropMask.Render(_grownCrop, s.Roi, _grown, width, height);
        CropMask.Render(s.Mask, s.Roi, _subject, width, height);
        Copy(_grown, _keep, box, width);

        foreach (var other in state.Others)
        {
            // Only someone whose region reaches the subject's can take the subject's pixels; someone approaching is
            // still segmented while clear of others, so that a mask is remembered for when they come close.
            var bounds = PoseRoi.FromDetection(other.Detection).Bounds;
            bool near = Intersects(bounds, s.Roi.Bounds);
            if (!near && !(other.Seen && !other.Overlapped && Intersects(bounds, Grown(s.Roi.Bounds, 0.5f)))) continue;
            var o = CropOf(segmenter, other, rgb24, width, height);
            if (!near) continue;
            Clear(_other, box, width);
            CropMask.Render(o.Mask, o.Roi, _other, width, height);
            bool? otherInFront = s.Carried && o.Carried ? InFront(o, s, rgb24, box, width) : null;
            for (int y = box.Top; y < box.Bottom; y++)
                for (int x = box.Left, i = y * width + box.Left; x < box.Right; x++, i++)
                {
                    float mo = _other[i];
                    if (mo <= 0) continue;
                    float ms = _subject[i];
                    bool front = otherInFront ?? mo > ms;
                    _keep[i] *= front ? 1 - mo : 1 - mo * (1 - ms);
                }
        }

        double own = 0, kept = 0;
        for (int y = 0; y < height; y++)
        {
            var row = alpha.Slice(y * width, width);
            if (y < box.Top || y >= box.Bottom)
            {
                row.Clear();
                continue;
            }
            row[..box.Left].Clear();
            row[box.Right..].Clear();
            for (int x = box.Left, i = y * width + box.Left; x < box.Right; x++, i++)
            {
                float keep = Math.Clamp(_keep[i], 0, 1);
                own += _subject[i];
                kept += _subject[i] * keep;
                row[x] = (byte)(row[x] * keep + 0.5f);
            }
        }
        LastVisibleShare = own > 0 ? (float)(kept / own) : 0;
    }

    /// <summary>A person's mask this frame: taken now when they are seen clear of others, else the one remembered from then, moved with them.</summary>
    private (float[] Mask, byte[] Rgb, PoseRoi Roi, bool Carried) CropOf(PersonSegmenter segmenter, PersonTrack person, ReadOnlySpan<byte> rgb24, int width, int height)
    {
        var roi = PoseRoi.FromDetection(person.Detection);
        if (!(person.Seen && !person.Overlapped) && _clear.TryGetValue(person.Id, out var remembered))
            return (remembered.Mask, remembered.Rgb, roi, true);
        var crop = segmenter.Segment(rgb24, width, height, roi);
        if (person.Seen && !person.Overlapped) _clear[person.Id] = crop;
        return (crop.Mask, crop.Rgb, roi, false);
    }

    /// <summary>
    /// Whether the other person is in front of the subject: over the pixels both remembered masks claim, the one in
    /// front is the one whose remembered colours the frame shows.
    /// </summary>
    private bool InFront((float[] Mask, byte[] Rgb, PoseRoi Roi, bool Carried) other, (float[] Mask, byte[] Rgb, PoseRoi Roi, bool Carried) subject,
        ReadOnlySpan<byte> rgb24, (int Left, int Top, int Right, int Bottom) box, int width)
    {
        double otherError = 0, subjectError = 0;
        for (int y = box.Top; y < box.Bottom; y += 2)
            for (int x = box.Left; x < box.Right; x += 2)
            {
                int i = y * width + x;
                if (_subject[i] < 0.5f || _other[i] < 0.5f) continue;
                otherError += ColourError(rgb24, i, other.Rgb, other.Roi, x, y);
                subjectError += ColourError(rgb24, i, subject.Rgb, subject.Roi, x, y);
            }
        return otherError < subjectError;
    }

    private static int ColourError(ReadOnlySpan<byte> rgb24, int pixel, byte[] crop, PoseRoi roi, int x, int y)
    {
        var (u, v) = roi.ToCrop(x + 0.5f, y + 0.5f);
        int cu = Math.Clamp((int)u, 0, PoseRoi.CropSide - 1), cv = Math.Clamp((int)v, 0, PoseRoi.CropSide - 1);
        int c = (cv * PoseRoi.CropSide + cu) * 3, f = pixel * 3;
        return Math.Abs(rgb24[f] - crop[c]) + Math.Abs(rgb24[f + 1] - crop[c + 1]) + Math.Abs(rgb24[f + 2] - crop[c + 2]);
    }

    /// <summary>The crop mask's maximum over a square of <see cref="GrowCropPixels"/> each way (two passes), into the grown crop.</summary>
    private void Grow(float[] mask)
    {
        const int n = PoseRoi.CropSide, r = GrowCropPixels;
        for (int y = 0; y < n; y++)
            for (int x = 0; x < n; x++)
            {
                float m = 0;
                for (int k = Math.Max(0, x - r); k <= Math.Min(n - 1, x + r); k++) m = Math.Max(m, mask[y * n + k]);
                _rowMax[y * n + x] = m;
            }
        for (int y = 0; y < n; y++)
            for (int x = 0; x < n; x++)
            {
                float m = 0;
                for (int k = Math.Max(0, y - r); k <= Math.Min(n - 1, y + r); k++) m = Math.Max(m, _rowMax[k * n + x]);
                _grownCrop[y * n + x] = m;
            }
    }

    /// <summary>Drops what is remembered of people the tracker no longer follows.</summary>
    private void Forget(IReadOnlyList<PersonTrack> everyone)
    {
        foreach (int id in _clear.Keys.Where(id => everyone.All(p => p.Id != id)).ToList()) _clear.Remove(id);
    }

    private static (int Left, int Top, int Right, int Bottom) Clip(PersonBox b, int width, int height)
    {
        int left = Math.Clamp((int)MathF.Floor(b.Left), 0, width), right = Math.Clamp((int)MathF.Ceiling(b.Right), left, width);
        int top = Math.Clamp((int)MathF.Floor(b.Top), 0, height), bottom = Math.Clamp((int)MathF.Ceiling(b.Bottom), top, height);
        return (left, top, right, bottom);
    }

    private static PersonBox Grown(PersonBox b, float share)
    {
        float gx = b.Width * share, gy = b.Height * share;
        return new PersonBox(b.Left - gx, b.Top - gy, b.Right + gx, b.Bottom + gy);
    }

    private static bool Intersects(PersonBox a, PersonBox b) => a.Left < b.Right && b.Left < a.Right && a.Top < b.Bottom && b.Top < a.Bottom;

    private static void Clear(float[] buffer, (int Left, int Top, int Right, int Bottom) box, int width)
    {
        for (int y = box.Top; y < box.Bottom; y++) buffer.AsSpan(y * width + box.Left, box.Right - box.Left).Clear();
    }

    private static void Copy(float[] from, float[] to, (int Left, int Top, int Right, int Bottom) box, int width)
    {
        for (int y = box.Top; y < box.Bottom; y++) from.AsSpan(y * width + box.Left, box.Right - box.Left).CopyTo(to.AsSpan(y * width + box.Left));
    }
}
