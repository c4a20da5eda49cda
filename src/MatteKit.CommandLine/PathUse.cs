namespace MatteKit.CommandLine;

/// <summary>
/// What a command does with a path option's or argument's text, which decides what <see cref="OptionValues.PathTextProblem"/>
/// lets through: a file really named with a space at either end can be read, but never be made by a quoting mistake.
/// </summary>
public enum PathUse
{
    /// <summary>A name, a command, a folder a command fills, or an output that may be a stream (live's): checked as text only.</summary>
    Named,

    /// <summary>A file or folder the command reads: white space at either end is taken when something is there by that name.</summary>
    Read,

    /// <summary>A file or folder the command writes: white space at either end and URLs are always refused.</summary>
    Written,
}
