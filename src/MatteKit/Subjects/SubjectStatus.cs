namespace MatteKit.Subjects;

/// <summary>Where the tracker stands after a frame.</summary>
internal enum SubjectStatus
{
    /// <summary>No subject chosen yet: nobody has been seen (the region is empty).</summary>
    Searching,

    /// <summary>The subject was found in this frame.</summary>
    Tracked,

    /// <summary>Not found in this frame, but lately enough that its region is kept where it was heading.</summary>
    Coasting,

    /// <summary>Not found for longer than the grace period: the region is empty until the subject is found again where it was lost.</summary>
    Lost,
}
