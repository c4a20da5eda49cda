using System.IO.Compression;

namespace MatteKit.Media;

/// <summary>
/// Reads and writes PNG files (ISO/IEC 15948, W3C PNG 2nd edition) with nothing but the base class library.
/// </summary>
/// <remarks>
/// <para><b>Reading</b> accepts every standard non-animated PNG: bit depths 1, 2, 4, 8 and 16; colour types
/// 0 (grey), 2 (RGB), 3 (palette), 4 (grey + alpha) and 6 (RGBA); Adam7-interlaced or not; all five row filters;
/// image data split over any number of IDAT chunks. Samples are reduced to 8 bits: 16-bit samples keep their
/// high byte (<c>v &gt;&gt; 8</c>, as libpng's "strip 16" does), 1/2/4-bit grey is scaled to 0..255
/// (×255, ×85, ×17). Ancillary chunks (gamma, colour profiles, text, APNG animation control...) are ignored,
/// so an APNG reads as its default image. Every chunk's CRC is checked.</para>
/// <para><see cref="ReadRgb(string, long)"/> drops alpha (it does not composite onto any background) and ignores
/// tRNS. <see cref="ReadRgba(string, long)"/> returns alpha from colour types 4 and 6 and from a palette's tRNS
/// chunk; everything else (including grey/RGB colour-key tRNS) gets alpha 255. <see cref="ReadGray(string, long)"/>
/// accepts only greyscale images (types 0 and 4, and palettes whose every entry is grey) and drops alpha.
/// Palette indices beyond the end of PLTE read as black.</para>
/// <para><b>Writing</b> produces 8-bit (or, by <see cref="Write16"/>, 16-bit) non-interlaced PNGs tagged sRGB, choosing a filter per row by the usual
/// minimum-sum-of-absolute-differences heuristic, compressed with <see cref="CompressionLevel.Fastest"/> unless
/// told otherwise. The file is written under a temporary name next to the target (<see cref="OutputFile"/>)
/// and moved over the target only when complete, so a half-written file never stands under the final name.</para>
/// <para>Errors in the file raise <see cref="MediaFormatException"/> with a one-line message naming the file.</para>
/// </remarks>
internal static class PngFile
{
    /// <summary>Decodes a PNG to 8-bit RGB. Alpha, if any, is dropped (not composited).</summary>
    public static RgbImage ReadRgb(string path, long maxPixels = PixelLimit.Default)
        => Read(PngReader.ReadFile(path, maxPixels), path, 3, maxPixels, (w, h, px) => new RgbImage(w, h, px));

    /// <summary>Decodes a PNG read from <paramref name="stream"/> (from its current position) to 8-bit RGB.</summary>
    /// <param name="stream">The PNG bytes; read to its end, not disposed.</param>
    /// <param name="sourceName">The name used in error messages.</param>
    /// <param name="maxPixels">Larger images are refused from their header, before any pixel is decoded.</param>
    public static RgbImage ReadRgb(Stream stream, string sourceName, long maxPixels = PixelLimit.Default)
        => Read(PngReader.ReadAll(stream), sourceName, 3, maxPixels, (w, h, px) => new RgbImage(w, h, px));

    /// <summary>Decodes a PNG to 8-bit RGBA (interleaved, row-major); alpha is 255 where the file has none.</summary>
    public static RgbaImage ReadRgba(string path, long maxPixels = PixelLimit.Default)
        => Read(PngReader.ReadFile(path, maxPixels), path, 4, maxPixels, (w, h, px) => new RgbaImage(w, h, px));

    /// <inheritdoc cref="ReadRgba(string, long)"/>
    public static RgbaImage ReadRgba(Stream stream, string sourceName, long maxPixels = PixelLimit.Default)
        => Read(PngReader.ReadAll(stream), sourceName, 4, maxPixels, (w, h, px) => new RgbaImage(w, h, px));

    /// <summary>
    /// Decodes a greyscale PNG (e.g. an alpha matte) to one 8-bit channel, row-major. Alpha is dropped. A colour
    /// image is refused with "expected a greyscale PNG".
    /// </summary>
    public static GrayImage ReadGray(string path, long maxPixels = PixelLimit.Default)
        => Read(PngReader.ReadFile(path, maxPixels), path, 1, maxPixels, (w, h, px) => new GrayImage(w, h, px));

    /// <inheritdoc cref="ReadGray(string, long)"/>
    public static GrayImage ReadGray(Stream stream, string sourceName, long maxPixels = PixelLimit.Default)
        => Read(PngReader.ReadAll(stream), sourceName, 1, maxPixels, (w, h, px) => new GrayImage(w, h, px));

    private static T Read<T>(byte[] file, string source, int channels, long maxPixels, Func<int, int, byte[], T> make)
    {
        byte[] px = PngReader.Decode(file, source, channels, maxPixels, out int w, out int h);
        return make(w, h, px);
    }

    /// <summary>Writes 8-bit RGB (<c>width * height * 3</c> bytes, interleaved, row-major) as a PNG.</summary>
    public static void WriteRgb(string path, int width, int height, ReadOnlySpan<byte> rgb,
        CompressionLevel level = CompressionLevel.Fastest) => PngWriter.WriteFile(path, width, height, rgb, 3, level);

    /// <summary>Writes an <see cref="RgbImage"/> as a PNG.</summary>
    public static void WriteRgb(string path, RgbImage image, CompressionLevel level = CompressionLevel.Fastest)
    {
        ArgumentNullException.ThrowIfNull(image);
        PngWriter.WriteFile(path, image.Width, image.Height, image.Pixels, 3, level);
    }

    /// <summary>Writes 8-bit RGBA (<c>width * height * 4</c> bytes, interleaved, row-major) as a PNG.</summary>
    public static void WriteRgba(string path, int width, int height, ReadOnlySpan<byte> rgba,
        CompressionLevel level = CompressionLevel.Fastest) => PngWriter.WriteFile(path, width, height, rgba, 4, level);

    /// <summary>
    /// Writes 16-bit samples (<paramref name="channels"/> = 1 grey, 3 RGB or 4 RGBA per pixel, interleaved, row-major) as
    /// a 16-bit PNG.
    /// </summary>
    public static void Write16(string path, int width, int height, int channels, ReadOnlySpan<ushort> samples,
        CompressionLevel level = CompressionLevel.Fastest)
    {
        if (samples.Length > Array.MaxLength / 2) throw new ArgumentException($"{samples.Length} samples are too many for one 16-bit PNG", nameof(samples));
        var bytes = new byte[samples.Length * 2];
        for (int i = 0; i < samples.Length; i++) System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2 * i), samples[i]);
        PngWriter.WriteFile(path, width, height, bytes, channels, level, bitDepth: 16);
    }

    /// <summary>Writes one 8-bit channel (<c>width * height</c> bytes, row-major) as a greyscale PNG.</summary>
    public static void WriteGray(string path, int width, int height, ReadOnlySpan<byte> gray,
        CompressionLevel level = CompressionLevel.Fastest) => PngWriter.WriteFile(path, width, height, gray, 1, level);

}
