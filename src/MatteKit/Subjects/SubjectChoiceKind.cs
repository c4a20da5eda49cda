namespace MatteKit.Subjects;

/// <summary>How <see cref="SubjectChoice"/> picks the person.</summary>
internal enum SubjectChoiceKind
{
    Largest,
    Center,
    Point,
    Index,
    Mask,

    /// <summary>A person the tracker follows, found by a pass over the frames before the main one (<see cref="SubjectChoice.FrameIndex"/> past 0).</summary>
    Track,
}
