namespace MatteKit.Subjects;

/// <summary>How <see cref="SubjectChoice"/> picks the person.</summary>
internal enum SubjectChoiceKind
{
    Largest,
    Center,
    Point,
    Index,
    Mask,
}
