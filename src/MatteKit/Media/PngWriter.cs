using System.Buffers.Binary;
using System.IO.Compression;

namespace MatteKit.Media;

/// <summary>
/// Encodes 8- or 16-bit grey, RGB or RGBA as a non-interlaced PNG tagged sRGB, a filter chosen per row by the
/// minimum-sum-of-absolute-differences heuristic, written through <see cref="OutputFile"/> (temporary name, renamed
/// when complete).
/// </summary>
internal static class PngWriter
{
    private const int IdatChunkSize = 1 << 16;

    // pixels: samples row by row; 16-bit ones big-endian, as PNG stores them.
    internal static void WriteFile(string path, int width, int height, ReadOnlySpan<byte> pixels, int channels,
        CompressionLevel level, int bitDepth = 8)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Validate(width, height, pixels.Length, channels, bitDepth);
        using var file = new OutputFile(path);
        using (var fs = new FileStream(file.WorkingPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            Write(fs, width, height, pixels, channels, level, bitDepth);
        file.Commit();
    }

    private static void Validate(int width, int height, int length, int channels, int bitDepth)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (bitDepth is not (8 or 16)) throw new ArgumentOutOfRangeException(nameof(bitDepth), bitDepth, "8 or 16 bits");
        long expected = (long)width * height * channels * (bitDepth / 8);
        if (length != expected)
            throw new ArgumentException(
                $"{width}x{height} pixels with {channels} channel(s) of {bitDepth} bits need {expected} bytes, got {length}");
    }

    /// <summary>Writes an 8- or 16-bit PNG (1 = grey, 3 = RGB, 4 = RGBA channels) to <paramref name="output"/>.</summary>
    internal static void Write(Stream output, int width, int height, ReadOnlySpan<byte> pixels, int channels,
        CompressionLevel level = CompressionLevel.Fastest, int bitDepth = 8)
    {
        Validate(width, height, pixels.Length, channels, bitDepth);
        byte colourType = channels switch
        {
            1 => 0,
            3 => 2,
            4 => 6,
            _ => throw new ArgumentOutOfRangeException(nameof(channels), channels, "1, 3 or 4 channels"),
        };

        output.Write(PngReader.Signature);
        Span<byte> ihdr = stackalloc byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr[4..], (uint)height);
        ihdr[8] = (byte)bitDepth;
        ihdr[9] = colourType;
        ihdr[10] = ihdr[11] = ihdr[12] = 0;
        WriteChunk(output, "IHDR"u8, ihdr);
        // sRGB, perceptual intent: MatteKit's pixels are sRGB (as decoded by ffmpeg and as the network sees them),
        // so viewers that colour-manage show them as they are.
        WriteChunk(output, "sRGB"u8, [0]);

        // Filters work on bytes, with the previous pixel a whole pixel's bytes back.
        int bytesPerPixel = channels * bitDepth / 8, stride = width * bytesPerPixel;
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
                    int best = ChooseFilter(cur, prev, bytesPerPixel, candidates);
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
                v4 = (byte)(x - PngReader.PaethBranchless(a, b, c));
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
