namespace MatteKit.Media;

/// <summary>
/// The largest picture MatteKit decodes, checked against a file's header before any pixel is allocated. A PNG of
/// 1 MB can declare 20000x20000 pixels, which would take tens of gigabytes by the time the network has run.
/// </summary>
internal static class PixelLimit
{
    /// <summary>40 megapixels: above 8K DCI (8192x4320, 35.4 Mpx), which is more than any camera frame here needs.</summary>
    public const long Default = 40_000_000;

    /// <exception cref="MediaFormatException">The picture is larger than <paramref name="maxPixels"/>.</exception>
    public static void Check(string source, long width, long height, long maxPixels)
    {
        if (width * height > maxPixels)
            throw new MediaFormatException(source,
                $"is {width}x{height} ({width * height} pixels), above the limit of {maxPixels} pixels (MaxPixels raises it)");
    }
}
