namespace MatteKit.Media.Ffmpeg;

/// <summary>What a <see cref="PixelLayout"/> means to a buffer and to ffmpeg's raw video.</summary>
internal static class PixelLayoutExtensions
{
    public static int BytesPerPixel(this PixelLayout layout) => layout switch
    {
        PixelLayout.Gray8 => 1,
        PixelLayout.Rgb24 => 3,
        _ => 4,
    };

    /// <summary>ffmpeg's <c>-pix_fmt</c> name for raw frames in this layout.</summary>
    public static string FfmpegName(this PixelLayout layout) => layout switch
    {
        PixelLayout.Gray8 => "gray",
        PixelLayout.Rgb24 => "rgb24",
        _ => "rgba",
    };
}
