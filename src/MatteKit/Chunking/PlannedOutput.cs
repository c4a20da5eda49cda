namespace MatteKit.Chunking;

/// <summary>
/// One output of a plan: its role (<c>alpha</c>, <c>foreground</c>, <c>composition</c>, <c>segmentation</c>), the
/// final path, and whether it is a video (joined by stream copy) or a folder of PNG frames (joined by moving them).
/// </summary>
internal sealed record PlannedOutput(string Role, string Path, bool IsFolder)
{
    /// <summary>The extension a video segment keeps (the container is chosen by it); empty for folders.</summary>
    public string Extension => IsFolder ? "" : System.IO.Path.GetExtension(Path);
}
