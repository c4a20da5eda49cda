namespace MatteKit.Subjects;

/// <summary>How <see cref="SubjectChoice"/> picks the person.</summary>
public enum SubjectChoiceKind
{
    Largest,
    Center,
    Point,
    Index,
}
