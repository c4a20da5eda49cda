using System.Buffers.Binary;
using System.IO.Compression;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

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
/// <para><b>Writing</b> produces 8-bit, non-interlaced PNGs tagged sRGB, choosing a filter per row by the usual
/// minimum-sum-of-absolute-differences heuristic, compressed with <see cref="CompressionLevel.Fastest"/> unless
/// told otherwise. The file is written under a temporary name next to the target (<see cref="OutputFile"/>)
/// and moved over the target only when complete, so a half-written file never stands under the final name.</para>
/// <para>Errors in the file raise <see cref="MediaFormatException"/> with a one-line message naming the file.</para>
/// </remarks>
public static class PngFile
{
    private static ReadOnlySpan<byte> Signature => [137, 80, 78, 71, 13, 10, 26, 10];

    private const int IdatChunkSize = 1 << 16;

    // Adam7: x start, y start, x step, y step for the seven passes.
    private static ReadOnlySpan<byte> Adam7XStart => [0, 4, 0, 2, 0, 1, 0];
    private static ReadOnlySpan<byte> Adam7YStart => [0, 0, 4, 0, 2, 0, 1];
    private static ReadOnlySpan<byte> Adam7XStep => [8, 8, 4, 4, 2, 2, 1];
    private static ReadOnlySpan<byte> Adam7YStep => [8, 8, 8, 4, 4, 2, 2];

    // ------------------------------------------------------------------------------------------------------
    // Reading
    // ------------------------------------------------------------------------------------------------------

    /// <summary>Decodes a PNG to 8-bit RGB. Alpha, if any, is dropped (not composited).</summary>
    public static RgbImage ReadRgb(string path, long maxPixels = PixelLimit.Default)
    {
        byte[] px = Decode(ReadFile(path), path, 3, maxPixels, out int w, out int h);
        return new RgbImage(w, h, px);
    }

    /// <summary>Decodes a PNG read from <paramref name="stream"/> (from its current position) to 8-bit RGB.</summary>
    /// <param name="stream">The PNG bytes; read to its end, not disposed.</param>
    /// <param name="sourceName">The name used in error messages.</param>
    /// <param name="maxPixels">Larger images are refused from their header, before any pixel is decoded.</param>
    public static RgbImage ReadRgb(Stream stream, string sourceName, long maxPixels = PixelLimit.Default)
    {
        byte[] px = Decode(ReadAll(stream), sourceName, 3, maxPixels, out int w, out int h);
        return new RgbImage(w, h, px);
    }

    /// <summary>Decodes a PNG to 8-bit RGBA (interleaved, row-major); alpha is 255 where the file has none.</summary>
    public static (int Width, int Height, byte[] Pixels) ReadRgba(string path, long maxPixels = PixelLimit.Default)
    {
        byte[] px = Decode(ReadFile(path), path, 4, maxPixels, out int w, out int h);
        return (w, h, px);
    }

    /// <inheritdoc cref="ReadRgba(string, long)"/>
    public static (int Width, int Height, byte[] Pixels) ReadRgba(Stream stream, string sourceName, long maxPixels = PixelLimit.Default)
    {
        byte[] px = Decode(ReadAll(stream), sourceName, 4, maxPixels, out int w, out int h);
        return (w, h, px);
    }

    /// <summary>
    /// Decodes a greyscale PNG (e.g. an alpha matte) to one 8-bit channel, row-major. Alpha is dropped. A colour
    /// image is refused with "expected a greyscale PNG".
    /// </summary>
    public static (int Width, int Height, byte[] Pixels) ReadGray(string path, long maxPixels = PixelLimit.Default)
    {
        byte[] px = Decode(ReadFile(path), path, 1, maxPixels, out int w, out int h);
        return (w, h, px);
    }

    /// <inheritdoc cref="ReadGray(string, long)"/>
    public static (int Width, int Height, byte[] Pixels) ReadGray(Stream stream, string sourceName, long maxPixels = PixelLimit.Default)
    {
        byte[] px = Decode(ReadAll(stream), sourceName, 1, maxPixels, out int w, out int h);
        return (w, h, px);
    }

    private static byte[] ReadFile(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new MediaFormatException(path, "cannot be read (permission denied)", e);
        }
    }

    private static byte[] ReadAll(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (stream.CanSeek)
        {
            long remaining = stream.Length - stream.Position;
            if (remaining >= 0 && remaining <= Array.MaxLength)
            {
                var buffer = new byte[remaining];
                int got = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
                if (got == buffer.Length && stream.ReadByte() < 0)
                    return buffer;
                // The stream lied about its length: fall through to a plain copy of what is left.
                var rest = new MemoryStream();
                rest.Write(buffer, 0, got);
                stream.CopyTo(rest);
                return rest.ToArray();
            }
        }
        var ms = new MemoryStream();
        stream.CopyTo(ms);
        return ms.ToArray();
    }

    private sealed class Header
    {
        public int Width, Height, BitDepth, ColorType;
        public bool Interlaced;
        public byte[]? Palette;          // 256 * 3, padded with black
        public int PaletteCount;
        public byte[]? PaletteAlpha;     // 256, 255 where tRNS gives nothing

        public int Channels => ColorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, _ => 4 };
        public int BitsPerPixel => Channels * BitDepth;
        public long RowBytes(int width) => ((long)width * BitsPerPixel + 7) / 8;
    }

    private static byte[] Decode(byte[] file, string source, int outChannels, long maxPixels, out int width, out int height)
    {
        var hdr = new Header();
        var idat = new List<(int Offset, int Length)>();
        long idatTotal = 0;
        ParseChunks(file, source, hdr, idat, ref idatTotal);

        width = hdr.Width;
        height = hdr.Height;
        PixelLimit.Check(source, width, height, maxPixels);

        if (outChannels == 1)
        {
            if (hdr.ColorType is 2 or 6)
                throw new MediaFormatException(source,
                    $"expected a greyscale PNG, but the image is {(hdr.ColorType == 2 ? "RGB" : "RGBA")} colour");
            if (hdr.ColorType == 3)
            {
                byte[] p = hdr.Palette!;
                for (int i = 0; i < hdr.PaletteCount; i++)
                    if (p[3 * i] != p[3 * i + 1] || p[3 * i] != p[3 * i + 2])
                        throw new MediaFormatException(source, "expected a greyscale PNG, but the image has a colour palette");
            }
        }

        long outBytes = (long)hdr.Width * hdr.Height * outChannels;
        long maxRow = hdr.RowBytes(hdr.Width);
        if (outBytes > Array.MaxLength || maxRow + 1 > Array.MaxLength)
            throw new MediaFormatException(source, $"image too large ({hdr.Width}x{hdr.Height})");

        long expected = 0;
        if (!hdr.Interlaced)
            expected = hdr.Height * (1 + maxRow);
        else
            for (int p = 0; p < 7; p++)
            {
                int pw = PassSize(hdr.Width, Adam7XStart[p], Adam7XStep[p]);
                int ph = PassSize(hdr.Height, Adam7YStart[p], Adam7YStep[p]);
                if (pw > 0 && ph > 0)
                    expected += ph * (1 + hdr.RowBytes(pw));
            }

        Stream compressed;
        if (idat.Count == 1)
            compressed = new MemoryStream(file, idat[0].Offset, idat[0].Length, writable: false);
        else
        {
            var joined = new byte[idatTotal];
            int at = 0;
            foreach (var (off, len) in idat)
            {
                Buffer.BlockCopy(file, off, joined, at, len);
                at += len;
            }
            compressed = new MemoryStream(joined, writable: false);
        }

        var output = new byte[outBytes];
        long consumed = 0;
        try
        {
            using var z = new ZLibStream(compressed, CompressionMode.Decompress);
            var cur = new byte[1 + maxRow];
            var prev = new byte[1 + maxRow];
            int chIn = hdr.Channels;
            byte[] scratch = hdr.BitDepth == 8 ? [] : new byte[(long)hdr.Width * chIn];
            int bpp = Math.Max(1, hdr.BitsPerPixel / 8);

            if (!hdr.Interlaced)
            {
                int rowLen = (int)(1 + maxRow);
                int outStride = hdr.Width * outChannels;
                for (int y = 0; y < hdr.Height; y++)
                {
                    ReadRow(z, cur.AsSpan(0, rowLen), source, ref consumed, expected);
                    Unfilter(cur[0], cur.AsSpan(1, rowLen - 1), prev.AsSpan(1, rowLen - 1), bpp, source, y);
                    ConvertRow(cur.AsSpan(1, rowLen - 1), hdr.Width, hdr, scratch,
                        output.AsSpan(y * outStride, outStride), outChannels);
                    (cur, prev) = (prev, cur);
                }
            }
            else
            {
                var passRow = new byte[(long)hdr.Width * outChannels];
                for (int p = 0; p < 7; p++)
                {
                    int xs = Adam7XStart[p], ys = Adam7YStart[p], dx = Adam7XStep[p], dy = Adam7YStep[p];
                    int pw = PassSize(hdr.Width, xs, dx);
                    int ph = PassSize(hdr.Height, ys, dy);
                    if (pw == 0 || ph == 0)
                        continue;
                    int rowLen = (int)(1 + hdr.RowBytes(pw));
                    Array.Clear(prev, 0, rowLen);
                    for (int r = 0; r < ph; r++)
                    {
                        ReadRow(z, cur.AsSpan(0, rowLen), source, ref consumed, expected);
                        Unfilter(cur[0], cur.AsSpan(1, rowLen - 1), prev.AsSpan(1, rowLen - 1), bpp, source, r);
                        ConvertRow(cur.AsSpan(1, rowLen - 1), pw, hdr, scratch, passRow, outChannels);
                        int y = ys + r * dy;
                        Span<byte> dst = output.AsSpan(y * hdr.Width * outChannels, hdr.Width * outChannels);
                        for (int i = 0; i < pw; i++)
                        {
                            int x = xs + i * dx;
                            for (int c = 0; c < outChannels; c++)
                                dst[x * outChannels + c] = passRow[i * outChannels + c];
                        }
                        (cur, prev) = (prev, cur);
                    }
                }
            }
        }
        catch (InvalidDataException ex)
        {
            throw new MediaFormatException(source,
                $"corrupt compressed image data after {consumed} of {expected} bytes ({ex.Message.TrimEnd('.')})", ex);
        }
        return output;
    }

    private static int PassSize(int size, int start, int step) => size > start ? (size - start + step - 1) / step : 0;

    private static void ParseChunks(byte[] file, string source, Header hdr, List<(int, int)> idat, ref long idatTotal)
    {
        if (file.Length == 0)
            throw new MediaFormatException(source, "not a PNG file (the file is empty)");
        int sigLen = Math.Min(8, file.Length);
        if (!file.AsSpan(0, sigLen).SequenceEqual(Signature[..sigLen]))
            throw new MediaFormatException(source, "not a PNG file (bad signature)");
        if (file.Length < 8)
            throw new MediaFormatException(source, "truncated file (it ends inside the PNG signature)");

        int pos = 8;
        bool seenIhdr = false, seenIdat = false;
        while (true)
        {
            if (pos == file.Length)
                throw new MediaFormatException(source, seenIhdr
                    ? "truncated file (it ends before the IEND chunk)"
                    : "truncated file (it ends right after the PNG signature)");
            if (file.Length - pos < 12)
                throw new MediaFormatException(source, $"truncated file (chunk at offset {pos} is cut short)");

            uint len = BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(pos));
            ReadOnlySpan<byte> type = file.AsSpan(pos + 4, 4);
            string name = ChunkName(type);
            if (!IsChunkType(type))
                throw new MediaFormatException(source, $"corrupt chunk header at offset {pos} (type {name} is not four letters)");
            if (len > int.MaxValue)
                throw new MediaFormatException(source, $"corrupt {name} chunk at offset {pos} (length {len} is too large)");
            if (file.Length - pos - 12L < len)
                throw new MediaFormatException(source,
                    $"truncated file ({name} chunk at offset {pos} declares {len} bytes, the file ends first)");
            uint stored = BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(pos + 8 + (int)len));
            uint actual = PngCrc.Compute(file.AsSpan(pos + 4, 4 + (int)len));
            if (stored != actual)
                throw new MediaFormatException(source, $"CRC mismatch in {name} chunk at offset {pos} (the file is corrupt)");

            ReadOnlySpan<byte> data = file.AsSpan(pos + 8, (int)len);
            if (!seenIhdr && !type.SequenceEqual("IHDR"u8))
                throw new MediaFormatException(source, $"missing IHDR chunk (the first chunk is {name})");

            if (type.SequenceEqual("IHDR"u8))
            {
                if (seenIhdr)
                    throw new MediaFormatException(source, "more than one IHDR chunk");
                ParseIhdr(data, source, hdr);
                seenIhdr = true;
            }
            else if (type.SequenceEqual("PLTE"u8))
            {
                if (len == 0 || len % 3 != 0 || len > 768)
                    throw new MediaFormatException(source, $"invalid PLTE chunk (length {len} is not 3 to 768 and a multiple of 3)");
                if (hdr.ColorType == 3)
                {
                    hdr.Palette = new byte[768];
                    data.CopyTo(hdr.Palette);
                    hdr.PaletteCount = (int)len / 3;
                }
            }
            else if (type.SequenceEqual("tRNS"u8))
            {
                if (hdr.ColorType == 3)
                {
                    hdr.PaletteAlpha = new byte[256];
                    hdr.PaletteAlpha.AsSpan().Fill(255);
                    data[..Math.Min(data.Length, 256)].CopyTo(hdr.PaletteAlpha);
                }
            }
            else if (type.SequenceEqual("IDAT"u8))
            {
                seenIdat = true;
                if (len > 0)
                {
                    idat.Add((pos + 8, (int)len));
                    idatTotal += len;
                    if (idatTotal > Array.MaxLength)
                        throw new MediaFormatException(source, "image data too large");
                }
            }
            else if (type.SequenceEqual("IEND"u8))
            {
                break;
            }
            else if ((type[0] & 0x20) == 0)
            {
                throw new MediaFormatException(source, $"unsupported critical chunk {name}");
            }
            pos += 12 + (int)len;
        }

        if (!seenIdat)
            throw new MediaFormatException(source, "missing IDAT chunk (the file has no image data)");
        if (idat.Count == 0)
            throw new MediaFormatException(source, "image data too short: the IDAT chunks are empty");
        if (hdr.ColorType == 3 && hdr.Palette is null)
            throw new MediaFormatException(source, "missing PLTE chunk (required for a palette image)");
    }

    private static void ParseIhdr(ReadOnlySpan<byte> d, string source, Header hdr)
    {
        if (d.Length != 13)
            throw new MediaFormatException(source, $"invalid IHDR chunk (length {d.Length}, expected 13)");
        uint w = BinaryPrimitives.ReadUInt32BigEndian(d);
        uint h = BinaryPrimitives.ReadUInt32BigEndian(d[4..]);
        if (w == 0 || h == 0)
            throw new MediaFormatException(source, $"zero image size ({w}x{h})");
        if (w > int.MaxValue || h > int.MaxValue)
            throw new MediaFormatException(source, $"invalid image size ({w}x{h})");
        int depth = d[8], colour = d[9];
        bool ok = colour switch
        {
            0 => depth is 1 or 2 or 4 or 8 or 16,
            2 or 4 or 6 => depth is 8 or 16,
            3 => depth is 1 or 2 or 4 or 8,
            _ => false,
        };
        if (!ok)
            throw new MediaFormatException(source, $"unsupported bit depth {depth} with colour type {colour}");
        if (d[10] != 0)
            throw new MediaFormatException(source, $"unsupported compression method {d[10]}");
        if (d[11] != 0)
            throw new MediaFormatException(source, $"unsupported filter method {d[11]}");
        if (d[12] > 1)
            throw new MediaFormatException(source, $"unsupported interlace method {d[12]}");
        hdr.Width = (int)w;
        hdr.Height = (int)h;
        hdr.BitDepth = depth;
        hdr.ColorType = colour;
        hdr.Interlaced = d[12] == 1;
    }

    private static bool IsChunkType(ReadOnlySpan<byte> t)
    {
        foreach (byte b in t)
            if (!((b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z')))
                return false;
        return true;
    }

    private static string ChunkName(ReadOnlySpan<byte> t) =>
        IsChunkType(t) ? Encoding.ASCII.GetString(t) : "0x" + Convert.ToHexString(t);

    private static void ReadRow(Stream z, Span<byte> row, string source, ref long consumed, long expected)
    {
        int got = z.ReadAtLeast(row, row.Length, throwOnEndOfStream: false);
        consumed += got;
        if (got < row.Length)
            throw new MediaFormatException(source,
                $"image data too short: decompressed {consumed} of {expected} bytes (truncated or corrupt IDAT)");
    }

    private static void Unfilter(byte filter, Span<byte> cur, ReadOnlySpan<byte> prev, int bpp, string source, int row)
    {
        int n = cur.Length;
        switch (filter)
        {
            case 0:
                break;
            case 1: // Sub
                for (int i = bpp; i < n; i++)
                    cur[i] += cur[i - bpp];
                break;
            case 2: // Up
            {
                int i = 0;
                if (Vector.IsHardwareAccelerated)
                    for (; i + Vector<byte>.Count <= n; i += Vector<byte>.Count)
                        (new Vector<byte>(cur[i..]) + new Vector<byte>(prev[i..])).CopyTo(cur[i..]);
                for (; i < n; i++)
                    cur[i] += prev[i];
                break;
            }
            case 3: // Average
            {
                int i = 0;
                for (; i < bpp && i < n; i++)
                    cur[i] += (byte)(prev[i] >> 1);
                for (; i < n; i++)
                    cur[i] += (byte)((cur[i - bpp] + prev[i]) >> 1);
                break;
            }
            case 4: // Paeth
            {
                int i = 0;
                for (; i < bpp && i < n; i++)
                    cur[i] += prev[i];
                if (n > bpp)
                    UnfilterPaeth(ref MemoryMarshal.GetReference(cur), ref MemoryMarshal.GetReference(prev), bpp, n);
                break;
            }
            default:
                throw new MediaFormatException(source, $"invalid filter type {filter} on row {row}");
        }
    }

    /// <summary>Paeth reconstruction from byte <paramref name="bpp"/> on (the first bpp bytes are done).</summary>
    private static void UnfilterPaeth(ref byte cur, ref byte prev, int bpp, int n)
    {
        for (int i = bpp; i < n; i++)
        {
            int a = Unsafe.Add(ref cur, i - bpp);
            int b = Unsafe.Add(ref prev, i);
            int c = Unsafe.Add(ref prev, i - bpp);
            Unsafe.Add(ref cur, i) += (byte)PaethBranchless(a, b, c);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int PaethBranchless(int a, int b, int c)
    {
        int pa = b - c, pb = a - c, pc = pa + pb;
        pa = Math.Abs(pa);
        pb = Math.Abs(pb);
        pc = Math.Abs(pc);
        // Same choice as the specification's "pa <= pb && pa <= pc ? a : pb <= pc ? b : c".
        if (pb < pa) { a = b; pa = pb; }
        return pc < pa ? c : a;
    }

    /// <summary>Turns one unfiltered row of <paramref name="width"/> pixels into 8-bit output samples.</summary>
    private static void ConvertRow(ReadOnlySpan<byte> raw, int width, Header hdr, byte[] scratch, Span<byte> dst, int outCh)
    {
        int chIn = hdr.Channels;
        int samples = width * chIn;

        // Stage 1: one byte per sample (palette: one index per pixel).
        ReadOnlySpan<byte> s;
        if (hdr.BitDepth == 8)
            s = raw[..samples];
        else if (hdr.BitDepth == 16)
        {
            for (int i = 0; i < samples; i++)
                scratch[i] = raw[2 * i];
            s = scratch.AsSpan(0, samples);
        }
        else
        {
            int bd = hdr.BitDepth;
            int mask = (1 << bd) - 1;
            int scale = hdr.ColorType == 0 ? 255 / mask : 1;
            for (int x = 0; x < width; x++)
            {
                int bit = x * bd;
                int v = (raw[bit >> 3] >> (8 - bd - (bit & 7))) & mask;
                scratch[x] = (byte)(v * scale);
            }
            s = scratch.AsSpan(0, width);
        }

        // Stage 2: map the source channels onto the requested output.
        switch (hdr.ColorType)
        {
            case 0:
                if (outCh == 1)
                    s.CopyTo(dst);
                else
                    for (int x = 0, o = 0; x < width; x++, o += outCh)
                    {
                        byte g = s[x];
                        dst[o] = g; dst[o + 1] = g; dst[o + 2] = g;
                        if (outCh == 4) dst[o + 3] = 255;
                    }
                break;
            case 4:
                for (int x = 0, o = 0; x < width; x++, o += outCh)
                {
                    byte g = s[2 * x];
                    dst[o] = g;
                    if (outCh == 1) continue;
                    dst[o + 1] = g; dst[o + 2] = g;
                    if (outCh == 4) dst[o + 3] = s[2 * x + 1];
                }
                break;
            case 2:
                if (outCh == 3)
                    s.CopyTo(dst);
                else
                    for (int x = 0, i = 0, o = 0; x < width; x++, i += 3, o += 4)
                    {
                        dst[o] = s[i]; dst[o + 1] = s[i + 1]; dst[o + 2] = s[i + 2]; dst[o + 3] = 255;
                    }
                break;
            case 6:
                if (outCh == 4)
                    s.CopyTo(dst);
                else
                    for (int x = 0, i = 0, o = 0; x < width; x++, i += 4, o += 3)
                    {
                        dst[o] = s[i]; dst[o + 1] = s[i + 1]; dst[o + 2] = s[i + 2];
                    }
                break;
            case 3:
            {
                ReadOnlySpan<byte> pal = hdr.Palette;
                byte[]? alpha = hdr.PaletteAlpha;
                for (int x = 0, o = 0; x < width; x++, o += outCh)
                {
                    int p = s[x];
                    dst[o] = pal[3 * p];
                    if (outCh == 1) continue;
                    dst[o + 1] = pal[3 * p + 1]; dst[o + 2] = pal[3 * p + 2];
                    if (outCh == 4) dst[o + 3] = alpha is null ? (byte)255 : alpha[p];
                }
                break;
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Writing
    // ------------------------------------------------------------------------------------------------------

    /// <summary>Writes 8-bit RGB (<c>width * height * 3</c> bytes, interleaved, row-major) as a PNG.</summary>
    public static void WriteRgb(string path, int width, int height, ReadOnlySpan<byte> rgb,
        CompressionLevel level = CompressionLevel.Fastest) => WriteFile(path, width, height, rgb, 3, level);

    /// <summary>Writes an <see cref="RgbImage"/> as a PNG.</summary>
    public static void WriteRgb(string path, RgbImage image, CompressionLevel level = CompressionLevel.Fastest)
    {
        ArgumentNullException.ThrowIfNull(image);
        WriteFile(path, image.Width, image.Height, image.Pixels, 3, level);
    }

    /// <summary>Writes 8-bit RGBA (<c>width * height * 4</c> bytes, interleaved, row-major) as a PNG.</summary>
    public static void WriteRgba(string path, int width, int height, ReadOnlySpan<byte> rgba,
        CompressionLevel level = CompressionLevel.Fastest) => WriteFile(path, width, height, rgba, 4, level);

    /// <summary>Writes one 8-bit channel (<c>width * height</c> bytes, row-major) as a greyscale PNG.</summary>
    public static void WriteGray(string path, int width, int height, ReadOnlySpan<byte> gray,
        CompressionLevel level = CompressionLevel.Fastest) => WriteFile(path, width, height, gray, 1, level);

    private static void WriteFile(string path, int width, int height, ReadOnlySpan<byte> pixels, int channels,
        CompressionLevel level)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Validate(width, height, pixels.Length, channels);
        using var file = new OutputFile(path);
        using (var fs = new FileStream(file.WorkingPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            Write(fs, width, height, pixels, channels, level);
        file.Commit();
    }

    private static void Validate(int width, int height, int length, int channels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        long expected = (long)width * height * channels;
        if (length != expected)
            throw new ArgumentException(
                $"{width}x{height} pixels with {channels} channel(s) need {expected} bytes, got {length}");
    }

    /// <summary>Writes an 8-bit PNG (1 = grey, 3 = RGB, 4 = RGBA channels) to <paramref name="output"/>.</summary>
    internal static void Write(Stream output, int width, int height, ReadOnlySpan<byte> pixels, int channels,
        CompressionLevel level = CompressionLevel.Fastest)
    {
        Validate(width, height, pixels.Length, channels);
        byte colourType = channels switch
        {
            1 => 0,
            3 => 2,
            4 => 6,
            _ => throw new ArgumentOutOfRangeException(nameof(channels), channels, "1, 3 or 4 channels"),
        };

        output.Write(Signature);
        Span<byte> ihdr = stackalloc byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr[4..], (uint)height);
        ihdr[8] = 8;
        ihdr[9] = colourType;
        ihdr[10] = ihdr[11] = ihdr[12] = 0;
        WriteChunk(output, "IHDR"u8, ihdr);
        // sRGB, perceptual intent: MatteKit's pixels are sRGB (as decoded by ffmpeg and as the network sees them),
        // so viewers that colour-manage show them as they are.
        WriteChunk(output, "sRGB"u8, [0]);

        int stride = width * channels;
        var candidates = new byte[5][];
        for (int f = 0; f < 5; f++)
        {
            candidates[f] = new byte[1 + stride];
            candidates[f][0] = (byte)f;
        }
        var zeroRow = new byte[stride];

        using (var idat = new IdatStream(output))
        {
            using (var z = new ZLibStream(idat, level, leaveOpen: true))
            {
                for (int y = 0; y < height; y++)
                {
                    ReadOnlySpan<byte> cur = pixels.Slice(y * stride, stride);
                    ReadOnlySpan<byte> prev = y == 0 ? zeroRow : pixels.Slice((y - 1) * stride, stride);
                    int best = ChooseFilter(cur, prev, channels, candidates);
                    z.Write(candidates[best]);
                }
            }
            idat.FlushChunk();
        }
        WriteChunk(output, "IEND"u8, ReadOnlySpan<byte>.Empty);
    }

    /// <summary>
    /// Fills the five candidate rows (filter byte first) and returns the filter whose output has the smallest
    /// sum of absolute values taken as signed bytes.
    /// </summary>
    private static int ChooseFilter(ReadOnlySpan<byte> cur, ReadOnlySpan<byte> prev, int bpp, byte[][] candidates)
    {
        int n = cur.Length;
        Span<byte> none = candidates[0].AsSpan(1), sub = candidates[1].AsSpan(1), up = candidates[2].AsSpan(1),
            avg = candidates[3].AsSpan(1), paeth = candidates[4].AsSpan(1);
        long sNone = 0, sSub = 0, sUp = 0, sAvg = 0, sPaeth = 0;
        for (int i = 0; i < n; i++)
        {
            int x = cur[i];
            int a = i >= bpp ? cur[i - bpp] : 0;
            int b = prev[i];
            int c = i >= bpp ? prev[i - bpp] : 0;
            byte v0 = (byte)x, v1 = (byte)(x - a), v2 = (byte)(x - b), v3 = (byte)(x - ((a + b) >> 1)),
                v4 = (byte)(x - PaethBranchless(a, b, c));
            none[i] = v0; sub[i] = v1; up[i] = v2; avg[i] = v3; paeth[i] = v4;
            sNone += Abs(v0); sSub += Abs(v1); sUp += Abs(v2); sAvg += Abs(v3); sPaeth += Abs(v4);
        }
        int best = 0;
        long bestSum = sNone;
        if (sSub < bestSum) { best = 1; bestSum = sSub; }
        if (sUp < bestSum) { best = 2; bestSum = sUp; }
        if (sAvg < bestSum) { best = 3; bestSum = sAvg; }
        if (sPaeth < bestSum) { best = 4; }
        return best;

        static int Abs(byte v) => v < 128 ? v : 256 - v;
    }

    private static void WriteChunk(Stream output, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> head = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(head, (uint)data.Length);
        type.CopyTo(head[4..]);
        uint crc = PngCrc.Finish(PngCrc.Update(PngCrc.Update(0xFFFFFFFFu, type), data));
        Span<byte> tail = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(tail, crc);
        output.Write(head);
        output.Write(data);
        output.Write(tail);
    }

    /// <summary>A write-only stream that cuts what is written to it into IDAT chunks.</summary>
    private sealed class IdatStream(Stream output) : Stream
    {
        private readonly byte[] _buffer = new byte[IdatChunkSize];
        private int _count;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> data)
        {
            while (!data.IsEmpty)
            {
                int take = Math.Min(data.Length, _buffer.Length - _count);
                data[..take].CopyTo(_buffer.AsSpan(_count));
                _count += take;
                data = data[take..];
                if (_count == _buffer.Length)
                    FlushChunk();
            }
        }

        public void FlushChunk()
        {
            if (_count == 0)
                return;
            WriteChunk(output, "IDAT"u8, _buffer.AsSpan(0, _count));
            _count = 0;
        }
    }
}
