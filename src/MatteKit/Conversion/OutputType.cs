namespace MatteKit.Conversion;

/// <summary>How outputs are written.</summary>
public enum OutputType
{
    /// <summary>By extension: a video extension is a video, .png a single image, anything else a folder of PNGs.</summary>
    Auto,
    Video,
    PngSequence,

    /// <summary>A folder of OpenEXR frames: half float, linear-light colour, premultiplied alpha by default.</summary>
    ExrSequence,
}
