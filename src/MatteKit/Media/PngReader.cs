using System.Buffers.Binary;
using System.IO.Compression;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace MatteKit.Media;

/// <summary>
/// Decodes every standard non-animated PNG to 8-bit grey, RGB or RGBA (see <see cref="PngFile"/> for what is
/// accepted and how samples are reduced), checking the declared size against a pixel limit before anything is
/// inflated, and every chunk's CRC.
/// </summary>
internal static class PngReader
{
    internal static ReadOnlySpan<byte> Signature => [137, 80, 78, 71, 13, 10, 26, 10];

    // Adam7: x start, y start, x step, y step for the seven passes.
    private static ReadOnlySpan<byte> Adam7XStart => [0, 4, 0, 2, 0, 1, 0];
    private static ReadOnlySpan<byte> Adam7YStart => [0, 0, 4, 0, 2, 0, 1];
    private static ReadOnlySpan<byte> Adam7XStep => [8, 8, 4, 4, 2, 2, 1];
    private static ReadOnlySpan<byte> Adam7YStep => [8, 8, 8, 4, 4, 2, 2];

    /// <summary>
    /// The bytes of a PNG file of at most <paramref name="maxPixels"/> pixels, read only if it is a regular file no
    /// larger than <see cref="MaxFileBytes"/> allows.
    /// </summary>
    internal static byte[] ReadFile(string path, long maxPixels)
        => InputFile.ReadAllBytes(path, MaxFileBytes(maxPixels), "a PNG image");

    /// <summary>
    /// The largest PNG that can hold <paramref name="maxPixels"/> pixels: 16-bit RGBA left uncompressed is 8 bytes
    /// a pixel, plus at most one filter byte a row (a pixel's worth) and deflate's stored-block headers; 16 MiB
    /// more leaves room for chunks without pixels (text, colour profiles).
    /// </summary>
    internal static long MaxFileBytes(long maxPixels) => Math.Min(maxPixels, long.MaxValue / 16) * 9 + (16L << 20);

    internal static byte[] ReadAll(Stream stream)
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

    internal static byte[] Decode(byte[] file, string source, int outChannels, long maxPixels, out int width, out int height)
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
            // A palette image has its PLTE: ParseChunks refuses one without.
            if (hdr.ColorType == 3 && hdr.Palette is { } p)
            {
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
            throw new MediaFormatException(source, InputFile.EmptyProblem);
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
    internal static int PaethBranchless(int a, int b, int c)
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

}
