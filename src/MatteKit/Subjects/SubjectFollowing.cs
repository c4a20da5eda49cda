namespace MatteKit.Subjects;

/// <summary>
/// Whom a <see cref="SubjectFrameMatter"/> keeps and how far it has followed them, shared by the runners opened from
/// one another (a change of ratio keeps the person), and changed between frames when a live session's page chooses
/// someone else (<see cref="Choose"/>).
/// </summary>
internal sealed class SubjectFollowing
{
    public SubjectFollowing(SubjectChoice? choice, bool strict)
    {
        Choice = choice;
        Strict = strict;
    }

    /// <summary>The person to keep; null = everyone (the frames pass through).</summary>
    public SubjectChoice? Choice { get; private set; }

    /// <summary>Null until the first frame after a choice; then the tracker of that person.</summary>
    public SubjectTracker? Tracker { get; private set; }

    /// <summary>What is remembered of the people's masks while following them; set with <see cref="Tracker"/>.</summary>
    public SubjectOwnership? Ownership { get; private set; }

    /// <summary>Starts following <see cref="Choice"/> in frames of this size.</summary>
    public SubjectTracker Start(SubjectChoice choice, int width, int height)
    {
        Ownership = new SubjectOwnership();
        return Tracker = new SubjectTracker(choice, width, height);
    }

    /// <summary>
    /// A choice nobody in its first frame matches is an error (the command line's: the user named someone who is not
    /// there). A choice made on the page is not: it waits for someone to stand at the point.
    /// </summary>
    public bool Strict { get; private set; }

    /// <summary>From the next frame on (called between frames): <paramref name="choice"/>, followed afresh; null = everyone.</summary>
    public void Choose(SubjectChoice? choice)
    {
        Choice = choice;
        Tracker = null;
        Ownership = null;
        Strict = false;
    }
}
