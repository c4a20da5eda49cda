using MatteKit.Media;
using MatteKit.Media.Ffmpeg;

namespace MatteKit.Conversion;

/// <summary>Writes a frame in any <see cref="PixelLayout"/> as the matching PNG colour type.</summary>
internal static class PngWriting
{
    public static void Write(string path, PixelLayout layout, int width, int height, ReadOnlySpan<byte> pixels)
    {
        switch (layout)
        {
            case PixelLayout.Gray8: PngFile.WriteGray(path, width, height, pixels); break;
            case PixelLayout.Rgb24: PngFile.WriteRgb(path, width, height, pixels); break;
            default: PngFile.WriteRgba(path, width, height, pixels); break;
        }
    }
}
