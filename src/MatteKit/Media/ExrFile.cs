using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace MatteKit.Media;

/// <summary>
/// Writes OpenEXR images (the OpenEXR file layout, version 2, single part, scan lines): half-float channels, ZIP
/// compression (16 lines a block), increasing Y, display window equal to the data window. Nothing but the base class
/// library; the file appears under its name only when complete (<see cref="OutputFile"/>).
/// </summary>
/// <remarks>
/// A block of 16 lines is written as each line's channels in name order, the bytes split into even and odd halves and
/// delta-coded (OpenEXR's ZIP predictor), then zlib-compressed; a block that would not shrink is stored as it is, which
/// readers tell by its size.
/// </remarks>
internal static class ExrFile
{
    private const int LinesPerBlock = 16;
    private const int Magic = 20000630;
    private const byte ZipCompression = 3;
    private const int HalfPixelType = 1;

    /// <summary>
    /// Writes <paramref name="channels"/> (name, then <c>width * height</c> values row by row) as half floats. EXR
    /// stores channels sorted by name; they may come in any order.
    /// </summary>
    public static void Write(string path, int width, int height, IReadOnlyList<(string Name, float[] Values)> channels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        var sorted = channels.OrderBy(c => c.Name, StringComparer.Ordinal).ToArray();
        if (sorted.Length == 0) throw new ArgumentException("an EXR image needs at least one channel", nameof(channels));
        foreach (var (name, values) in sorted)
            if (values.Length < (long)width * height) throw new ArgumentException($"channel {name} has {values.Length} values for {width}x{height}", nameof(channels));
        using var file = new OutputFile(path);
        using (var stream = new FileStream(file.WorkingPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            Write(stream, width, height, sorted);
        file.Commit();
    }

    private static void Write(Stream output, int width, int height, (string Name, float[] Values)[] channels)
    {
        var header = new MemoryStream();
        WriteInt(header, Magic);
        WriteInt(header, 2); // version 2, single-part scan-line file, short names
        Attribute(header, "channels", "chlist", ChannelList(channels));
        Attribute(header, "compression", "compression", [ZipCompression]);
        var window = Box(0, 0, width - 1, height - 1);
        Attribute(header, "dataWindow", "box2i", window);
        Attribute(header, "displayWindow", "box2i", window);
        Attribute(header, "lineOrder", "lineOrder", [0]); // increasing Y
        Attribute(header, "pixelAspectRatio", "float", Float(1f));
        Attribute(header, "screenWindowCenter", "v2f", [.. Float(0f), .. Float(0f)]);
        Attribute(header, "screenWindowWidth", "float", Float(1f));
        header.WriteByte(0);

        int blocks = (height + LinesPerBlock - 1) / LinesPerBlock;
        long tableAt = header.Length;
        output.Write(header.GetBuffer(), 0, (int)header.Length);
        // The offset table comes first and is filled once the blocks' sizes are known.
        var offsets = new long[blocks];
        output.Write(new byte[8 * blocks]);
        long at = tableAt + 8L * blocks;

        int lineBytes = 2 * width * channels.Length;
        var raw = new byte[lineBytes * LinesPerBlock];
        var shuffled = new byte[raw.Length];
        var packed = new MemoryStream();
        Span<byte> head = stackalloc byte[8];
        for (int b = 0; b < blocks; b++)
        {
            int y0 = b * LinesPerBlock, lines = Math.Min(LinesPerBlock, height - y0), size = lines * lineBytes;
            for (int line = 0; line < lines; line++)
            {
                int row = (y0 + line) * width, to = line * lineBytes;
                foreach (var (_, values) in channels)
                    for (int x = 0; x < width; x++, to += 2)
                        BinaryPrimitives.WriteHalfLittleEndian(raw.AsSpan(to), (Half)values[row + x]);
            }
            Predict(raw.AsSpan(0, size), shuffled.AsSpan(0, size));
            packed.SetLength(0);
            using (var z = new ZLibStream(packed, CompressionLevel.Fastest, leaveOpen: true)) z.Write(shuffled, 0, size);
            bool keep = packed.Length < size;
            BinaryPrimitives.WriteInt32LittleEndian(head, y0);
            BinaryPrimitives.WriteInt32LittleEndian(head[4..], keep ? (int)packed.Length : size);
            output.Write(head);
            if (keep) output.Write(packed.GetBuffer(), 0, (int)packed.Length);
            else output.Write(raw, 0, size);
            offsets[b] = at;
            at += 8 + (keep ? packed.Length : size);
        }
        output.Position = tableAt;
        var table = new byte[8 * blocks];
        for (int b = 0; b < blocks; b++) BinaryPrimitives.WriteInt64LittleEndian(table.AsSpan(8 * b), offsets[b]);
        output.Write(table);
    }

    /// <summary>OpenEXR's ZIP predictor: even bytes then odd bytes, each byte stored as its difference from the one before, plus 128.</summary>
    internal static void Predict(ReadOnlySpan<byte> raw, Span<byte> into)
    {
        int half = (raw.Length + 1) / 2;
        for (int i = 0; i < raw.Length; i++) into[(i & 1) == 0 ? i / 2 : half + i / 2] = raw[i];
        int previous = into.Length > 0 ? into[0] : 0;
        for (int i = 1; i < raw.Length; i++)
        {
            int value = into[i];
            into[i] = (byte)(value - previous + 128);
            previous = value;
        }
    }

    private static byte[] ChannelList((string Name, float[] Values)[] channels)
    {
        var list = new MemoryStream();
        foreach (var (name, _) in channels)
        {
            var bytes = Encoding.ASCII.GetBytes(name);
            list.Write(bytes);
            list.WriteByte(0);
            WriteInt(list, HalfPixelType);
            list.Write([0, 0, 0, 0]); // pLinear, reserved
            WriteInt(list, 1); // x sampling
            WriteInt(list, 1); // y sampling
        }
        list.WriteByte(0);
        return list.ToArray();
    }

    private static void Attribute(Stream header, string name, string type, ReadOnlySpan<byte> value)
    {
        header.Write(Encoding.ASCII.GetBytes(name));
        header.WriteByte(0);
        header.Write(Encoding.ASCII.GetBytes(type));
        header.WriteByte(0);
        WriteInt(header, value.Length);
        header.Write(value);
    }

    private static byte[] Box(int xMin, int yMin, int xMax, int yMax)
    {
        var box = new byte[16];
        BinaryPrimitives.WriteInt32LittleEndian(box, xMin);
        BinaryPrimitives.WriteInt32LittleEndian(box.AsSpan(4), yMin);
        BinaryPrimitives.WriteInt32LittleEndian(box.AsSpan(8), xMax);
        BinaryPrimitives.WriteInt32LittleEndian(box.AsSpan(12), yMax);
        return box;
    }

    private static byte[] Float(float value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
        return bytes;
    }

    private static void WriteInt(Stream stream, int value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        stream.Write(bytes);
    }
}
