using System.Buffers.Binary;
using System.Text;

namespace MatteKit.Weights;

/// <summary>
/// One table of a FlatBuffers buffer (the layout of <c>.tflite</c> files): a signed offset to its vtable, whose
/// 16-bit entries give each field's offset inside the table (0: absent, the schema's default applies). Only what
/// the TFLite reader needs: scalars, sub-tables, strings and vectors of scalars or tables. Every offset is checked
/// against the buffer, so a damaged file is a <see cref="FormatException"/>, never a read out of bounds.
/// </summary>
internal readonly struct FlatBufferTable
{
    private readonly byte[] _buffer;
    private readonly int _position;
    private readonly int _vtable;
    private readonly int _vtableSize;

    private FlatBufferTable(byte[] buffer, int position)
    {
        _buffer = buffer;
        _position = position;
        _vtable = Checked(position - (long)ReadInt32(buffer, position), 4, buffer);
        _vtableSize = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(_vtable));
        if (_vtableSize < 4 || (_vtableSize & 1) != 0) throw new FormatException($"table at {position}: vtable of {_vtableSize} bytes");
        Checked(_vtable, _vtableSize, buffer);
    }

    /// <summary>The root table: the buffer starts with its 32-bit offset.</summary>
    public static FlatBufferTable Root(byte[] buffer)
    {
        if (buffer.Length < 8) throw new FormatException($"{buffer.Length} bytes, too short for a FlatBuffers file");
        return new FlatBufferTable(buffer, Target(buffer, 0));
    }

    public bool Has(int field) => FieldOffset(field) != 0;

    public int Int32(int field, int defaultValue = 0)
        => FieldOffset(field) is var o and not 0 ? ReadInt32(_buffer, Checked(_position + (long)o, 4, _buffer)) : defaultValue;

    public uint UInt32(int field, uint defaultValue = 0) => (uint)Int32(field, (int)defaultValue);

    public byte Byte(int field, byte defaultValue = 0)
        => FieldOffset(field) is var o and not 0 ? _buffer[Checked(_position + (long)o, 1, _buffer)] : defaultValue;

    public bool Bool(int field, bool defaultValue = false) => Byte(field, defaultValue ? (byte)1 : (byte)0) != 0;

    public FlatBufferTable? Table(int field)
        => FieldOffset(field) is var o and not 0 ? new FlatBufferTable(_buffer, Target(_buffer, Checked(_position + (long)o, 4, _buffer))) : null;

    public string? String(int field)
        => Vector(field, 1) is { } v ? Encoding.UTF8.GetString(_buffer, v.Start, v.Count) : null;

    /// <summary>A vector of bytes, as a view of the buffer (empty when absent).</summary>
    public ReadOnlyMemory<byte> Bytes(int field)
        => Vector(field, 1) is { } v ? _buffer.AsMemory(v.Start, v.Count) : ReadOnlyMemory<byte>.Empty;

    public int[] Int32s(int field)
    {
        if (Vector(field, 4) is not { } v) return Array.Empty<int>();
        var values = new int[v.Count];
        for (int i = 0; i < v.Count; i++) values[i] = ReadInt32(_buffer, v.Start + 4 * i);
        return values;
    }

    public FlatBufferTable[] Tables(int field)
    {
        if (Vector(field, 4) is not { } v) return Array.Empty<FlatBufferTable>();
        var tables = new FlatBufferTable[v.Count];
        for (int i = 0; i < v.Count; i++) tables[i] = new FlatBufferTable(_buffer, Target(_buffer, v.Start + 4 * i));
        return tables;
    }

    private (int Start, int Count)? Vector(int field, int elementSize)
    {
        int o = FieldOffset(field);
        if (o == 0) return null;
        int at = Target(_buffer, Checked(_position + (long)o, 4, _buffer));
        uint count = (uint)ReadInt32(_buffer, Checked(at, 4, _buffer));
        int start = at + 4;
        Checked(start, (long)count * elementSize, _buffer);
        return (start, (int)count);
    }

    private int FieldOffset(int field)
    {
        int entry = 4 + 2 * field;
        return entry + 2 > _vtableSize ? 0 : BinaryPrimitives.ReadUInt16LittleEndian(_buffer.AsSpan(_vtable + entry));
    }

    /// <summary>Where the 32-bit unsigned offset stored at <paramref name="at"/> points.</summary>
    private static int Target(byte[] buffer, int at) => Checked(at + (long)(uint)ReadInt32(buffer, Checked(at, 4, buffer)), 4, buffer);

    private static int ReadInt32(byte[] buffer, int at) => BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(Checked(at, 4, buffer), 4));

    private static int Checked(long at, long length, byte[] buffer)
    {
        if (at < 0 || length < 0 || at + length > buffer.Length)
            throw new FormatException($"offset {at} (+{length} bytes) lies outside the file's {buffer.Length} bytes");
        return (int)at;
    }
}
