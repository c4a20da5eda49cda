namespace MatteKit.Media;

/// <summary>
/// The folder a path's file or folder lies in, from its full path. Only a root has none (<c>/</c>, <c>C:\</c>): a
/// path given by the user may be one, so it is refused in one line rather than read as "no folder".
/// </summary>
internal static class ParentFolder
{
    /// <exception cref="MediaFormatException"><paramref name="path"/> is the root of a file system.</exception>
    public static string Of(string path)
        => Path.GetDirectoryName(Path.GetFullPath(path))
           ?? throw new MediaFormatException(path, "is the root of the file system, not a file or folder inside a folder");
}
