namespace MatteKit.Media;

/// <summary>
/// A file that appears under its final name only when complete: it is written under a hidden temporary name
/// in the same folder (same file system, so the final rename is atomic), and removed if never committed.
/// </summary>
public sealed class OutputFile : IDisposable
{
    private bool _committed;

    public OutputFile(string finalPath)
    {
        FinalPath = Path.GetFullPath(finalPath);
        if (Directory.Exists(FinalPath)) throw new MediaFormatException(finalPath, "exists and is a folder, not a file");
        var parent = Path.GetDirectoryName(FinalPath)!;
        if (!Directory.Exists(parent)) throw new MediaFormatException(finalPath, $"output folder {parent} does not exist");
        // The extension stays last so that tools choosing a format by extension still see it.
        WorkingPath = Path.Combine(parent,
            $".{Path.GetFileNameWithoutExtension(FinalPath)}.partial-{Environment.ProcessId}-{Guid.NewGuid():N}{Path.GetExtension(FinalPath)}");
        try
        {
            using (File.Create(WorkingPath)) { }
        }
        catch (UnauthorizedAccessException e)
        {
            // The exception's own text names the temporary file, which the user never asked for.
            throw new MediaFormatException(finalPath, "cannot write here (permission denied)", e);
        }
        catch (IOException e)
        {
            throw new MediaFormatException(finalPath, $"cannot write here ({e.Message})", e);
        }
    }

    public string FinalPath { get; }

    /// <summary>Where the content is written until the commit.</summary>
    public string WorkingPath { get; }

    public void Commit()
    {
        File.Move(WorkingPath, FinalPath, overwrite: true);
        _committed = true;
    }

    public void Dispose()
    {
        if (!_committed) File.Delete(WorkingPath);
    }
}
