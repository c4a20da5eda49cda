namespace MatteKit.Media;

/// <summary>
/// A folder of output files that appears under its final name only when complete: files go into a hidden
/// sibling folder, which <see cref="Commit"/> renames; <see cref="Dispose"/> without a commit removes it, and a
/// new one for the same name removes those of killed processes.
/// </summary>
internal sealed class OutputFolder : IDisposable
{
    private bool _committed;

    public OutputFolder(string finalPath)
    {
        FinalPath = OutputFile.FullPath(finalPath);
        // A symbolic link, to an empty folder too, would be replaced by the commit's real folder: refused as a link,
        // in the words every output's link is refused in.
        if (new FileInfo(FinalPath).LinkTarget is not null) OutputFile.RequireReplaceable(finalPath);
        // Named by its full path, as the commands' early check names it: "out" alone says nothing of where it is.
        if (File.Exists(FinalPath)) throw new MediaFormatException(FinalPath, "exists and is a file, not a folder");
        if (NotEmpty(FinalPath) is { } problem) throw new MediaFormatException(FinalPath, problem);
        var parent = ParentFolder.Of(FinalPath);
        if (!Directory.Exists(parent)) throw new MediaFormatException(FinalPath, $"parent folder {parent} does not exist");
        PartialOutputs.RemoveAbandoned(parent, Path.GetFileName(FinalPath), "", isFolder: true);
        WorkingPath = PartialOutputs.NewWorkingPath(parent, Path.GetFileName(FinalPath), "");
        try
        {
            Directory.CreateDirectory(WorkingPath);
            PartialOutputs.Add(WorkingPath, isFolder: true);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new MediaFormatException(FinalPath, "cannot write here (permission denied)", e);
        }
        catch (IOException e)
        {
            throw new MediaFormatException(FinalPath, $"cannot write here ({e.Message.Replace(WorkingPath, Path.GetFileName(FinalPath))})", e);
        }
    }

    public string FinalPath { get; }

    /// <summary>
    /// Null unless a folder at <paramref name="path"/> holds something, which an output folder never replaces (its
    /// commit renames a new folder over an empty one only); else why, as one phrase. Commands ask it before any work,
    /// naming the option; the constructor asks it again.
    /// </summary>
    public static string? NotEmpty(string path)
        => Directory.Exists(path) && Directory.EnumerateFileSystemEntries(path).Any()
            ? "output folder exists and is not empty; give a new or an empty folder"
            : null;

    /// <summary>Where files are written until the commit.</summary>
    public string WorkingPath { get; }

    public string FilePath(string fileName) => Path.Combine(WorkingPath, fileName);

    public void Commit()
    {
        lock (PartialOutputs.CommitGate)
        {
            if (Directory.Exists(FinalPath)) Directory.Delete(FinalPath);
            Directory.Move(WorkingPath, FinalPath);
            _committed = true;
            PartialOutputs.Committed(WorkingPath);
        }
    }

    public void Dispose()
    {
        if (!_committed && Directory.Exists(WorkingPath)) Directory.Delete(WorkingPath, recursive: true);
        PartialOutputs.Forget(WorkingPath);
    }
}
