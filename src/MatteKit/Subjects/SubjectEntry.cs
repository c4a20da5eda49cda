namespace MatteKit.Subjects;

/// <summary>
/// A subject who walks in at the frame's side: first detected at <paramref name="Frame"/> (MoveNet needs most of a
/// person to see them), moving at (<paramref name="VelocityX"/>, <paramref name="VelocityY"/>) pixels a frame. The
/// frames before are given the person where that motion says they were, so the part already in view is kept.
/// </summary>
internal sealed record SubjectEntry(int Frame, PersonDetection First, float VelocityX, float VelocityY)
{
    /// <summary>Frames before the first detection that are given the person (half a second at 30 frames a second).</summary>
    public const int FramesBefore = 15;

    /// <summary>Share of the frame's width from a side within which a first detection counts as walking in.</summary>
    private const float SideShare = 0.02f;

    /// <summary>Where the person was at <paramref name="frame"/>, or null when it is not one of the frames given them.</summary>
    public PersonDetection? At(int frame)
        => frame < Frame && frame >= Frame - FramesBefore
            ? PersonTrack.Moved(First, -VelocityX * (Frame - frame), -VelocityY * (Frame - frame))
            : null;

    /// <summary>
    /// The entry of someone first seen at a side of a <paramref name="width"/>-pixel frame and moving inwards (by the
    /// motion of their first sightings); null otherwise, or while that motion is not known.
    /// </summary>
    public static SubjectEntry? Of(PersonTrack person, int width)
    {
        if (person.EntryVelocity is not { } velocity) return null;
        var box = person.First.Box;
        var (vx, vy) = velocity;
        bool fromLeft = box.Left <= width * SideShare && vx > 0, fromRight = box.Right >= width * (1 - SideShare) && vx < 0;
        return fromLeft || fromRight ? new SubjectEntry(person.FirstFrame, person.First, vx, vy) : null;
    }
}
