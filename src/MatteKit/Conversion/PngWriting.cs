using MatteKit.Media;
using MatteKit.Media.Ffmpeg;

namespace MatteKit.Conversion;

/// <summary>Writes a frame in any <see cref="PixelLayout"/> as the matching PNG colour type and depth.</summary>
internal static class PngWriting
{
    // pixels: the layout's samples; 16-bit ones little-endian (the PNG stores them big-endian).
    public static void Write(string path, PixelLayout layout, int width, int height, ReadOnlySpan<byte> pixels)
    {
        if (layout.IsDeep())
        {
            var samples = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(pixels);
            if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("16-bit outputs are written on little-endian machines");
            PngFile.Write16(path, width, height, layout.Channels(), samples);
            return;
        }
        switch (layout)
        {
            case PixelLayout.Gray8: PngFile.WriteGray(path, width, height, pixels); break;
            case PixelLayout.Rgb24: PngFile.WriteRgb(path, width, height, pixels); break;
            default: PngFile.WriteRgba(path, width, height, pixels); break;
        }
    }
}
