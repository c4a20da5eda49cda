namespace MatteKit;

/// <summary>
/// A weights file that cannot be used. The message is one line naming the file and, where there is one,
/// the tensor, so that a command-line user can act on it without a stack trace.
/// </summary>
public sealed class WeightsFormatException : Exception
{
    public WeightsFormatException(string file, string problem, Exception? inner = null)
        : base($"{file}: {problem}", inner)
    {
        File = file;
        Problem = problem;
    }

    public string File { get; }
    public string Problem { get; }
}
