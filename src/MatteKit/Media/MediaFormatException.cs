namespace MatteKit;

/// <summary>
/// A media file (image, video frame) that cannot be read. The message is one line, <c>"{file}: {problem}"</c>,
/// so that a command-line user can act on it without a stack trace. (<see cref="InvalidDataException"/> is sealed,
/// so this is a plain <see cref="Exception"/>, like <c>WeightsFormatException</c>; a zlib error inside the file
/// arrives as this exception with the <see cref="InvalidDataException"/> as its inner exception.)
/// </summary>
public sealed class MediaFormatException : Exception
{
    public MediaFormatException(string file, string problem, Exception? inner = null)
        : base($"{file}: {problem}", inner)
    {
        File = file;
        Problem = problem;
    }

    /// <summary>The file (or stream source name) that was being read.</summary>
    public string File { get; }

    /// <summary>What is wrong with it, without the file name.</summary>
    public string Problem { get; }

    /// <summary>
    /// The options the problem names, as the options records name them (<c>Frames</c> for a range past the input's end);
    /// empty when it names none.
    /// </summary>
    public IReadOnlyList<string> Parameters { get; init; } = Array.Empty<string>();
}
