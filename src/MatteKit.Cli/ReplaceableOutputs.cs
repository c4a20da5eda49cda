using MatteKit.CommandLine;
using MatteKit.Media;

namespace MatteKit.Cli;

/// <summary>
/// Every command's refusal, before any work, of an output path where something other than a regular file is (a
/// symbolic link, a FIFO, a device, a socket): the commit's rename would put a plain file in its place. Said the same
/// way by each command, naming the option (<c>--stats st.json: is a FIFO ...</c>), as a usage error (exit 2), as
/// an output path onto an input is; the library refuses the same paths again when it opens them.
/// </summary>
internal static class ReplaceableOutputs
{
    /// <param name="outputs">Each output by the option that names it: its flag, or the library's name for it (said as its flag).</param>
    /// <param name="foldersTaken">Whether an existing real folder may be the output (a folder of frames replaces an empty one; one that holds something is refused).</param>
    /// <exception cref="UsageException">The first output that is not replaceable, naming its flag.</exception>
    public static void Require(IEnumerable<(string Option, string Path)> outputs, bool foldersTaken = false)
    {
        foreach (var (option, path) in outputs)
        {
            // A real folder only: a link to one is refused as a link. One that holds something is refused now, by
            // its full path: the library's line, later and exit 1, named the folder as given ("out") and no option.
            bool folder = foldersTaken && OutputFile.IsRealFolder(path);
            if ((folder ? OutputFolder.NotEmpty(path) : OutputFile.NotReplaceable(path)) is { } problem)
                throw new UsageException($"{ParameterFlags.For(option) ?? option} {(folder ? OutputFile.FullPath(path) : path)}: {problem}");
        }
    }
}
