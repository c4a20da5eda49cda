namespace MatteKit.Media;

/// <summary>
/// A file that appears under its final name only when complete: it is written under a hidden temporary name
/// in the same folder (same file system, so the final rename is atomic), and removed if never committed; a new one
/// for the same name removes those of killed processes.
/// </summary>
internal sealed class OutputFile : IDisposable
{
    private bool _committed;

    public OutputFile(string finalPath)
    {
        if (NamesAFolder(finalPath) is { } named) throw new MediaFormatException(finalPath, named);
        FinalPath = Path.GetFullPath(finalPath);
        RequireReplaceable(finalPath);
        var parent = ParentFolder.Of(FinalPath);
        if (!Directory.Exists(parent)) throw new MediaFormatException(finalPath, $"output folder {parent} does not exist");
        // The extension stays last so that tools choosing a format by extension still see it.
        string stem = Path.GetFileNameWithoutExtension(FinalPath), extension = Path.GetExtension(FinalPath);
        PartialOutputs.RemoveAbandoned(parent, stem, extension, isFolder: false);
        WorkingPath = PartialOutputs.NewWorkingPath(parent, stem, extension);
        try
        {
            using (File.Create(WorkingPath)) { }
            PartialOutputs.Add(WorkingPath, isFolder: false);
        }
        catch (UnauthorizedAccessException e)
        {
            // The exception's own text names the temporary file, which the user never asked for.
            throw new MediaFormatException(finalPath, "cannot write here (permission denied)", e);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new MediaFormatException(finalPath, $"cannot write here (this folder does not take new files)", e);
        }
        catch (IOException e)
        {
            throw new MediaFormatException(finalPath, $"cannot write here ({e.Message.Replace(WorkingPath, Path.GetFileName(FinalPath))})", e);
        }
    }

    public string FinalPath { get; }

    /// <summary>
    /// Throws unless nothing is at <paramref name="path"/> or a regular file is: the commit renames over it, which
    /// would silently put a plain file where a FIFO, a device, a socket or a symbolic link was (and a folder cannot be
    /// renamed over at all). Commands call it before any work, so that such a path costs nothing; every output file
    /// passes it again here when opened.
    /// </summary>
    /// <exception cref="MediaFormatException">What is there instead, as one line naming the path.</exception>
    public static void RequireReplaceable(string path)
    {
        if (NotReplaceable(path) is { } problem) throw new MediaFormatException(path, problem);
    }

    /// <summary>Null when nothing or a regular file is at <paramref name="path"/>; else what is there, as one phrase.</summary>
    /// <summary>
    /// Why a path cannot name an output file, when it ends in a separator: its folder is the path less the separator
    /// (ParentFolder), so the rename would be onto "file/". Null when it does not.
    /// </summary>
    public static string? NamesAFolder(string path)
        => Path.EndsInDirectorySeparator(path) ? "ends in a path separator, so it names a folder; an output file needs a file name" : null;

    public static string? NotReplaceable(string path)
    {
        var full = FullPath(path);
        // Asked before the kind, which follows the link: a link to a regular file is still not one to replace.
        if (new FileInfo(full).LinkTarget is { } target)
            return $"is a symbolic link (to {PrintableText.Excerpt(target, 200)}); an output replaces only a regular file, so remove the link or write elsewhere";
        return FileIdentity.Of(full)?.Kind switch
        {
            null or FileKind.Regular => null,
            FileKind.Directory => "exists and is a folder, not a file",
            { } kind => $"is {kind.Phrase()}; an output replaces only a regular file",
        };
    }

    /// <summary>Whether a real folder is at <paramref name="path"/>, not a link to one (which <see cref="Directory.Exists"/> follows).</summary>
    public static bool IsRealFolder(string path)
    {
        var full = FullPath(path);
        return Directory.Exists(full) && new DirectoryInfo(full).LinkTarget is null;
    }

    /// <summary>
    /// The absolute path without a trailing separator: with one (<c>out/frames/</c>), .NET reports no link target even
    /// for a link and gives an empty file name, which would put a working folder inside the output instead of beside it.
    /// </summary>
    public static string FullPath(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> through a temporary file.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        using var file = new OutputFile(path);
        using (var stream = new FileStream(file.WorkingPath, FileMode.Create, FileAccess.Write)) stream.Write(bytes);
        file.Commit();
    }

    /// <summary>Runs <paramref name="write"/> on a stream over a temporary file, renamed to <paramref name="path"/> when it returns.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        using var file = new OutputFile(path);
        using (var stream = new FileStream(file.WorkingPath, FileMode.Create, FileAccess.Write)) write(stream);
        file.Commit();
    }

    /// <summary>Writes UTF-8 <paramref name="text"/> to <paramref name="path"/> through a temporary file.</summary>
    public static void WriteAllText(string path, string text) => WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>Where the content is written until the commit.</summary>
    public string WorkingPath { get; }

    public void Commit()
    {
        lock (PartialOutputs.CommitGate) CommitUnderGate();
    }

    private void CommitUnderGate()
    {
        try
        {
            File.Move(WorkingPath, FinalPath, overwrite: true);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new MediaFormatException(FinalPath, "cannot be replaced (permission denied)", e);
        }
        catch (IOException e)
        {
            throw new MediaFormatException(FinalPath, $"cannot be written ({WithoutPath(e.Message)})", e);
        }
        _committed = true;
        PartialOutputs.Committed(WorkingPath);
    }

    /// <summary>.NET's I/O messages quote the temporary path, which the user never asked for.</summary>
    internal string WithoutPath(string message) => message.Replace($"'{WorkingPath}'", "").Replace(WorkingPath, Path.GetFileName(FinalPath)).Trim();

    public void Dispose()
    {
        if (!_committed)
        {
            try
            {
                File.Delete(WorkingPath);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Left for RemoveAll or the user; the original failure matters more.
            }
        }
        PartialOutputs.Forget(WorkingPath);
    }
}
