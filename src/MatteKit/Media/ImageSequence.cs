namespace MatteKit.Media;

/// <summary>The PNG images of a folder, in natural order, read as the frames of one clip.</summary>
internal static class ImageSequence
{
    public static IReadOnlyList<string> ListPngFiles(string folder)
    {
        var files = Directory.EnumerateFiles(folder)
            .Where(f => f.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            .OrderBy(f => Path.GetFileName(f), NaturalOrder.Instance)
            .ToList();
        if (files.Count == 0) throw new MediaFormatException(folder, "folder holds no .png images");
        return files;
    }
}
