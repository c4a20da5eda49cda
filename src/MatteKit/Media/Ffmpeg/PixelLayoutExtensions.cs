namespace MatteKit.Media.Ffmpeg;

/// <summary>What a <see cref="PixelLayout"/> means to a buffer and to ffmpeg's raw video.</summary>
internal static class PixelLayoutExtensions
{
    public static int Channels(this PixelLayout layout) => layout switch
    {
        PixelLayout.Gray8 or PixelLayout.Gray16 => 1,
        PixelLayout.Rgb24 or PixelLayout.Rgb48 => 3,
        _ => 4,
    };

    /// <summary>Whether a sample is 16 bits (little-endian) rather than 8.</summary>
    public static bool IsDeep(this PixelLayout layout) => layout is PixelLayout.Gray16 or PixelLayout.Rgb48 or PixelLayout.Rgba64;

    public static bool HasAlpha(this PixelLayout layout) => layout.Channels() == 4;

    public static int BytesPerPixel(this PixelLayout layout) => layout.Channels() * (layout.IsDeep() ? 2 : 1);

    /// <summary>The layout with the same channels at 16 bits a sample.</summary>
    public static PixelLayout Deep(this PixelLayout layout) => layout.Channels() switch
    {
        1 => PixelLayout.Gray16,
        3 => PixelLayout.Rgb48,
        _ => PixelLayout.Rgba64,
    };

    /// <summary>ffmpeg's <c>-pix_fmt</c> name for raw frames in this layout.</summary>
    public static string FfmpegName(this PixelLayout layout) => layout switch
    {
        PixelLayout.Gray8 => "gray",
        PixelLayout.Rgb24 => "rgb24",
        PixelLayout.Rgba32 => "rgba",
        PixelLayout.Gray16 => "gray16le",
        PixelLayout.Rgb48 => "rgb48le",
        _ => "rgba64le",
    };
}
