using System.Buffers.Binary;
using MatteKit.Media;

namespace MatteKit.Training.Data;

/// <summary>
/// The size an image file declares, from its header alone (PNG's IHDR, JPEG's start-of-frame, BMP's info header,
/// WebP's VP8/VP8L/VP8X chunk): lets every frame of a clip be checked when training starts rather than when a
/// sequence happens to draw it. Only the header is read, whatever the file's size.
/// </summary>
internal static class ImageHeader
{
    /// <exception cref="MediaFormatException">Not the format its extension says, or a header cut short.</exception>
    public static (int Width, int Height) Size(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096);
        var extension = Path.GetExtension(path).ToLowerInvariant();
        var size = extension switch
        {
            ".png" => Png(file),
            ".jpg" or ".jpeg" => Jpeg(file),
            ".bmp" => Bmp(file),
            ".webp" => WebP(file),
            _ => null,
        };
        if (size is not { } s || s.Width <= 0 || s.Height <= 0)
            throw new MediaFormatException(path, $"not a {extension.TrimStart('.').ToUpperInvariant()} image (its header does not give a size)");
        return s;
    }

    private static (int Width, int Height)? Png(Stream f)
    {
        Span<byte> head = stackalloc byte[24];
        if (f.ReadAtLeast(head, 24, throwOnEndOfStream: false) < 24 || !head[..8].SequenceEqual(PngReader.Signature) || !head[12..16].SequenceEqual("IHDR"u8))
            return null;
        return (BinaryPrimitives.ReadInt32BigEndian(head[16..]), BinaryPrimitives.ReadInt32BigEndian(head[20..]));
    }

    // Markers are walked by their lengths (APPn segments such as EXIF thumbnails come first) up to the first
    // start-of-frame, SOF0-SOF15 but DHT (C4), JPG (C8) and DAC (CC).
    private static (int Width, int Height)? Jpeg(Stream f)
    {
        Span<byte> b = stackalloc byte[9];
        if (f.ReadAtLeast(b[..2], 2, throwOnEndOfStream: false) < 2 || b[0] != 0xFF || b[1] != 0xD8) return null;
        while (true)
        {
            if (f.ReadAtLeast(b[..4], 4, throwOnEndOfStream: false) < 4 || b[0] != 0xFF) return null;
            byte marker = b[1];
            while (marker == 0xFF)
            {
                // Fill bytes before a marker: shift by one.
                b[1] = b[2];
                b[2] = b[3];
                int next = f.ReadByte();
                if (next < 0) return null;
                b[3] = (byte)next;
                marker = b[1];
            }
            int length = BinaryPrimitives.ReadUInt16BigEndian(b[2..4]);
            if (length < 2) return null;
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                if (length < 7 || f.ReadAtLeast(b[..5], 5, throwOnEndOfStream: false) < 5) return null;
                return (BinaryPrimitives.ReadUInt16BigEndian(b[3..5]), BinaryPrimitives.ReadUInt16BigEndian(b[1..3]));
            }
            if (marker is 0xD9 or 0xDA) return null; // end of image or scan data before any frame header
            if (f.Seek(length - 2, SeekOrigin.Current) > f.Length) return null;
        }
    }

    private static (int Width, int Height)? Bmp(Stream f)
    {
        Span<byte> head = stackalloc byte[26];
        if (f.ReadAtLeast(head, 26, throwOnEndOfStream: false) < 26 || head[0] != (byte)'B' || head[1] != (byte)'M') return null;
        int headerSize = BinaryPrimitives.ReadInt32LittleEndian(head[14..]);
        if (headerSize == 12) return (BinaryPrimitives.ReadUInt16LittleEndian(head[18..]), BinaryPrimitives.ReadUInt16LittleEndian(head[20..]));
        // A negative height is a top-down bitmap.
        int height = BinaryPrimitives.ReadInt32LittleEndian(head[22..]);
        return (BinaryPrimitives.ReadInt32LittleEndian(head[18..]), height == int.MinValue ? 0 : Math.Abs(height));
    }

    private static (int Width, int Height)? WebP(Stream f)
    {
        Span<byte> head = stackalloc byte[30];
        if (f.ReadAtLeast(head, 30, throwOnEndOfStream: false) < 30 || !head[..4].SequenceEqual("RIFF"u8) || !head[8..12].SequenceEqual("WEBP"u8))
            return null;
        var chunk = head[12..16];
        var data = head[20..];
        if (chunk.SequenceEqual("VP8 "u8))
        {
            // Key frame: a 3-byte frame tag, the start code 9D 01 2A, then 14-bit width and height.
            if (data[3] != 0x9D || data[4] != 0x01 || data[5] != 0x2A) return null;
            return (BinaryPrimitives.ReadUInt16LittleEndian(data[6..]) & 0x3FFF, BinaryPrimitives.ReadUInt16LittleEndian(data[8..]) & 0x3FFF);
        }
        if (chunk.SequenceEqual("VP8L"u8))
        {
            if (data[0] != 0x2F) return null;
            uint bits = BinaryPrimitives.ReadUInt32LittleEndian(data[1..]);
            return ((int)(bits & 0x3FFF) + 1, (int)((bits >> 14) & 0x3FFF) + 1);
        }
        if (chunk.SequenceEqual("VP8X"u8))
            return (1 + (data[4] | data[5] << 8 | data[6] << 16), 1 + (data[7] | data[8] << 8 | data[9] << 16));
        return null;
    }
}
