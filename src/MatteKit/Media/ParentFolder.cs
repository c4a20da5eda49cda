namespace MatteKit.Media;

/// <summary>
/// The folder a path's file or folder lies in, from its full path. Only a root has none (<c>/</c>, <c>C:\</c>): a
/// path given by the user may be one, so it is refused in one line rather than read as "no folder". A trailing
/// separator is dropped first (<see cref="OutputFile.FullPath"/>): .NET takes <c>out/frames/</c>'s folder to be
/// <c>out/frames</c> itself, so a new output folder named with a slash was said not to exist, and made without one.
/// </summary>
internal static class ParentFolder
{
    /// <exception cref="MediaFormatException"><paramref name="path"/> is the root of a file system.</exception>
    public static string Of(string path)
        => Path.GetDirectoryName(OutputFile.FullPath(path))
           ?? throw new MediaFormatException(path, "is the root of the file system, not a file or folder inside a folder");
}
