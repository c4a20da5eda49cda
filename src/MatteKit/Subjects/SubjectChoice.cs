using MatteKit.Subjects;
using System.Globalization;

namespace MatteKit;

/// <summary>
/// Which person to keep (<c>--subject</c>): the largest, the one nearest the frame's centre, the detector's N-th person
/// (0 = its best score) in the first frame in which anyone is seen; or the one at a point of the first frame, or the one
/// a mask of the first frame covers (<see cref="FromMask"/>). <see cref="InFrame"/> reads the choice in a later frame
/// instead; a file's earlier frames then keep that person too, from the first frame they are followed in.
/// </summary>
public sealed record SubjectChoice
{
    private SubjectChoice(SubjectChoiceKind kind, float x = 0, float y = 0, int index = 0, string? maskPath = null, Media.GrayImage? mask = null,
        long maskMarked = 0)
    {
        MaskMarked = maskMarked;
        Kind = kind;
        X = x;
        Y = y;
        Index = index;
        MaskPath = maskPath;
        Mask = mask;
    }

    internal SubjectChoiceKind Kind { get; }

    /// <summary>The frame (counted from 0) the choice is read in; the point and the mask are of that frame.</summary>
    public int FrameIndex { get; private init; }

    /// <summary>The person the tracker follows under this id (<see cref="SubjectChoiceKind.Track"/>).</summary>
    internal int TrackId { get; private init; }

    /// <summary>The same choice read in frame <paramref name="frame"/> (counted from 0) instead of the first.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The frame is negative.</exception>
    public SubjectChoice InFrame(int frame) => frame >= 0
        ? this with { FrameIndex = frame }
        : throw new ArgumentOutOfRangeException(nameof(frame), frame, $"SubjectFrame must be 0 or more, got {frame}");

    /// <summary>
    /// The same choice read in the frame shown <paramref name="seconds"/> after the first (the frame is found from the
    /// input's frame rate when it is opened: the one whose time span holds that instant).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The time is negative or not finite.</exception>
    /// <remarks>Its upper bound is a conversion's (<c>ConvertOptions.Validate</c>), that of the start and the duration.</remarks>
    public SubjectChoice AtTime(double seconds) => seconds >= 0 && double.IsFinite(seconds)
        ? this with { Seconds = seconds, FrameIndex = 0, _timed = false }
        : throw new ArgumentOutOfRangeException(nameof(seconds), seconds, $"SubjectTime must be a number of seconds, 0 or more, got {seconds}");

    /// <summary>The time given with <see cref="AtTime"/>; null when the choice is of a frame (or the first).</summary>
    public double? Seconds { get; private init; }

    /// <summary>Whether the time still waits for the input's frame rate to name its frame (<see cref="AtRate"/>).</summary>
    internal bool NeedsRate => Seconds is not null && !_timed;

    private bool _timed;

    /// <summary>The choice with its time turned into a frame at <paramref name="framesPerSecond"/>; itself when it has no time.</summary>
    /// <exception cref="SubjectChoiceException">
    /// The time is a frame past those MatteKit counts at this rate (one line): like a frame past the input's end, a choice
    /// this input cannot meet, so a usage error.
    /// </exception>
    internal SubjectChoice AtRate(double framesPerSecond)
    {
        if (!NeedsRate) return this;
        double frame = Math.Floor(Seconds!.Value * framesPerSecond + 1e-6);
        if (!(frame <= int.MaxValue))
            throw new SubjectChoiceException(string.Create(CultureInfo.InvariantCulture,
                $"SubjectTime {Seconds} is frame {frame:0} at {framesPerSecond:0.###} frames a second, past the last frame MatteKit counts ({int.MaxValue})"));
        return this with { FrameIndex = (int)frame, _timed = true };
    }

    /// <summary>
    /// The person followed under <paramref name="id"/> from the first frame, as a pass before the main one found them
    /// at frame <paramref name="foundAt"/>; <paramref name="entry"/> when they walk in at a side.
    /// </summary>
    internal SubjectChoice Tracked(int id, Subjects.SubjectEntry? entry, int foundAt)
        => new(SubjectChoiceKind.Track) { TrackId = id, Entry = entry, FoundAt = foundAt, Description = ToString() };

    /// <summary>The frame the pass before chose the person in (<see cref="SubjectChoiceKind.Track"/>): the main pass must have met them by then.</summary>
    internal int FoundAt { get; private init; }

    /// <summary>How a person found by a pass before the main one walked in, if they did (<see cref="SubjectChoiceKind.Track"/>).</summary>
    internal Subjects.SubjectEntry? Entry { get; private init; }

    // What the user chose, kept for messages when the choice has been resolved into a track.
    private string? Description { get; init; }

    /// <summary>The point, in pixels of the first frame (for <see cref="SubjectChoiceKind.Point"/>).</summary>
    internal float X { get; }
    internal float Y { get; }

    /// <summary>The detector's index (for <see cref="SubjectChoiceKind.Index"/>): people above the score threshold, best first.</summary>
    internal int Index { get; }

    /// <summary>The SHA-256 (lower-case hex) of the mask's pixels and size; null for a choice that is not a mask.</summary>
    internal string? MaskSha256
    {
        get
        {
            if (Mask is not { } m) return null;
            using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
            hash.AppendData(m.Pixels);
            hash.AppendData(BitConverter.GetBytes(m.Width));
            hash.AppendData(BitConverter.GetBytes(m.Height));
            return Convert.ToHexStringLower(hash.GetHashAndReset());
        }
    }

    /// <summary>The mask file (for <see cref="SubjectChoiceKind.Mask"/>).</summary>
    internal string? MaskPath { get; }

    /// <summary>The mask, the first frame's size: above 127 is the person.</summary>
    internal Media.GrayImage? Mask { get; }

    /// <summary>How many of <see cref="Mask"/>'s pixels mark the person (above 127).</summary>
    internal long MaskMarked { get; }

    /// <summary>How many pixels of a mask row mark the person (above 127).</summary>
    internal static int Marked(ReadOnlySpan<byte> row)
    {
        int n = 0;
        foreach (byte b in row) if (b > 127) n++;
        return n;
    }

    public static SubjectChoice Largest { get; } = new(SubjectChoiceKind.Largest);
    public static SubjectChoice Center { get; } = new(SubjectChoiceKind.Center);
    public static SubjectChoice AtPoint(float x, float y) => new(SubjectChoiceKind.Point, x, y);
    public static SubjectChoice AtIndex(int index) => new(SubjectChoiceKind.Index, index: index);

    /// <summary>
    /// The person a mask of the first frame covers: a greyscale PNG of the frame's size, above 127 where the person is
    /// (as video object segmentation takes a first-frame mask). Read now, so that a bad file fails before any work.
    /// </summary>
    /// <exception cref="MediaFormatException">The file is not a greyscale PNG that can be read.</exception>
    /// <exception cref="ArgumentException">The mask marks no pixel.</exception>
    public static SubjectChoice FromMask(string path, long maxPixels = Media.PixelLimit.Default)
    {
        var mask = Media.PngFile.ReadGray(path, maxPixels);
        long marked = Marked(mask.Pixels);
        if (marked == 0) throw new ArgumentException($"SubjectMask {path}: the mask marks nobody (no pixel above 127)", "SubjectMask");
        return new(SubjectChoiceKind.Mask, maskPath: path, mask: mask, maskMarked: marked);
    }

    /// <summary><c>largest</c>, <c>center</c>, <c>X,Y</c> (pixels) or <c>N</c> (0 to 5).</summary>
    /// <exception cref="ArgumentException">One line naming the text and what is accepted.</exception>
    public static SubjectChoice Parse(string text)
    {
        string t = text.Trim().ToLowerInvariant();
        if (t == "largest") return Largest;
        if (t is "center" or "centre") return Center;
        var parts = t.Split(',');
        if (parts.Length == 2 && float.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out float x)
            && float.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out float y) && x >= 0 && y >= 0 && float.IsFinite(x) && float.IsFinite(y))
            return AtPoint(x, y);
        if (int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n < MoveNetDecoder.MaxPeople) return AtIndex(n);
        throw new ArgumentException($"Subject must be largest, center, X,Y (pixels of the frame it is read in, both >= 0) or N (0 to {MoveNetDecoder.MaxPeople - 1}), got '{text}'");
    }

    /// <summary>Whether the choice can be made in a <paramref name="width"/> x <paramref name="height"/> frame (a point inside it, a mask of its size).</summary>
    internal bool Fits(int width, int height) => Kind switch
    {
        SubjectChoiceKind.Point => X < width && Y < height,
        SubjectChoiceKind.Mask => Mask is { } m && (m.Width, m.Height) == (width, height),
        _ => true,
    };

    public override string ToString() => Description
        ?? (Seconds is { } seconds ? string.Create(CultureInfo.InvariantCulture, $"{Named()} at {seconds} s")
            : FrameIndex > 0 ? $"{Named()} in frame {FrameIndex}" : Named());

    /// <summary>The frame the choice is read in, as the user named it (for messages): <c>SubjectFrame 12</c>, or <c>SubjectTime 0.5 (frame 12)</c>.</summary>
    internal string FrameNamed => Seconds is { } seconds
        ? string.Create(CultureInfo.InvariantCulture, $"SubjectTime {seconds} (frame {FrameIndex})")
        : $"SubjectFrame {FrameIndex}";

    private string Named() => Kind switch
    {
        SubjectChoiceKind.Largest => "largest",
        SubjectChoiceKind.Center => "center",
        SubjectChoiceKind.Point => string.Create(CultureInfo.InvariantCulture, $"{X},{Y}"),
        SubjectChoiceKind.Mask => $"mask {MaskPath}",
        _ => Index.ToString(CultureInfo.InvariantCulture),
    };
}
