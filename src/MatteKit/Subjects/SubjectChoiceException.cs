namespace MatteKit.Subjects;

/// <summary>
/// A <c>--subject</c> this input cannot meet: a point outside the frame, or an index past the people detected
/// where the choice is made. The message is one line saying what was seen, so the user can choose again; the
/// command line treats it as a usage error.
/// </summary>
internal sealed class SubjectChoiceException : ArgumentException
{
    public SubjectChoiceException(string message)
        : base(message)
    {
    }
}
