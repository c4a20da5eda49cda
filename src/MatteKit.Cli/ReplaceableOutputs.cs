using MatteKit.CommandLine;
using MatteKit.Media;

namespace MatteKit.Cli;

/// <summary>
/// Every command's refusal, before any work, of an output path where something other than a regular file is (a
/// symbolic link, a FIFO, a device, a socket): the commit's rename would put a plain file in its place. Said the same
/// way by each command, naming the option (<c>--stats st.json: is a FIFO ...</c>), as a usage error (exit 2), as
/// an output path onto an input is; the library refuses the same paths again when it opens them. So is, where only files
/// are written, a name ending in a separator, and a folder that
/// holds something where an output folder goes (<see cref="RequireEmptyFolders"/>).
/// </summary>
internal static class ReplaceableOutputs
{
    /// <param name="outputs">Each output by the option that names it: its flag, or the library's name for it (said as its flag).</param>
    /// <param name="foldersTaken">Whether an output may be a folder, so an existing real one is left to the command (a folder of frames replaces an empty one: <see cref="RequireEmptyFolders"/>); null: none may.</param>
    /// <param name="folderHint">Said after the line on a file's name that ends in a separator, where the command could
    /// write a folder of that name instead (convert: "give --output-type png_sequence").</param>
    /// <exception cref="UsageException">The first output that is not replaceable, naming its flag.</exception>
    public static void Require(IEnumerable<(string Option, string Path)> outputs, Func<string, bool>? foldersTaken = null, string? folderHint = null)
    {
        foreach (var (option, path) in outputs)
        {
            bool folderTaken = foldersTaken?.Invoke(path) ?? false;
            // A real folder only: a link to one is refused as a link.
            if (folderTaken && OutputFile.IsRealFolder(path)) continue;
            // Where only a file is written, a name ending in a separator was refused only when opened, after the work.
            var named = folderTaken ? null : OutputFile.NamesAFolder(path);
            var problem = named is not null && folderHint is not null ? $"{named}; {folderHint}" : named ?? OutputFile.NotReplaceable(path);
            if (problem is not null) throw new UsageException($"{ParameterFlags.For(option) ?? option} {path}: {problem}");
        }
    }

    /// <summary>
    /// Refuses, before any work, a real folder that holds something where an output folder goes, naming the option
    /// and the folder's full path: the library's line, later and exit 1, named it as given ("out") and no option.
    /// Asked after the checks whose lines tell more (an output in a plan's segments folder, a dataset inside its inputs).
    /// </summary>
    /// <exception cref="UsageException">The first such folder.</exception>
    public static void RequireEmptyFolders(IEnumerable<(string Option, string Path)> outputs)
    {
        foreach (var (option, path) in outputs)
            if (OutputFile.IsRealFolder(path) && OutputFolder.NotEmpty(path) is { } problem)
                throw new UsageException($"{ParameterFlags.For(option) ?? option} {OutputFile.FullPath(path)}: {problem}");
    }
}
