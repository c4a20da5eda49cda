using System.Globalization;
using MatteKit.Inference;

namespace MatteKit.Conversion;

/// <summary>
/// The names of a folder output's frames: after the source images for image inputs, 0000, 0001, ... for videos (as the
/// official converter names them), with the output's extension. Two images named alike but for their extension
/// (<c>x.png</c>, <c>x.jpg</c>) would be written to one file: refused, naming both.
/// </summary>
internal sealed class FrameFileNames(string extension)
{
    private readonly Dictionary<string, string> _taken = new(StringComparer.Ordinal);

    /// <exception cref="MediaFormatException">An earlier frame of the run took this name.</exception>
    public string For(FrameSlot frame)
    {
        string name = frame.SourceName is { } source
            ? Path.ChangeExtension(source, extension)
            : frame.Index.ToString("D4", CultureInfo.InvariantCulture) + extension;
        string by = frame.SourceName ?? name;
        if (_taken.TryGetValue(name, out var earlier) && earlier != by)
            throw new MediaFormatException(by, $"would be written as {name}, as {earlier} was: rename one of the two images");
        _taken[name] = by;
        return name;
    }
}
