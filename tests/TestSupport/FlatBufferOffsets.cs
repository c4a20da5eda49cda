using System.Buffers.Binary;

namespace MatteKit.Tests.TestSupport;

/// <summary>
/// Where things lie inside a FlatBuffers buffer (a <c>.tflite</c>), so that a test can rewrite one value of a real
/// model in place: a table's field, a vector's count and elements. No checks: the input is a known good file.
/// </summary>
public sealed class FlatBufferOffsets
{
    private readonly byte[] _bytes;

    public FlatBufferOffsets(byte[] bytes) => _bytes = bytes;

    /// <summary>The root table's position.</summary>
    public int Root => Target(0);

    /// <summary>Where field <paramref name="field"/> of the table at <paramref name="table"/> is stored; -1 when absent.</summary>
    public int Field(int table, int field)
    {
        int vtable = table - BinaryPrimitives.ReadInt32LittleEndian(_bytes.AsSpan(table));
        int size = BinaryPrimitives.ReadUInt16LittleEndian(_bytes.AsSpan(vtable));
        int entry = 4 + 2 * field;
        if (entry + 2 > size) return -1;
        int offset = BinaryPrimitives.ReadUInt16LittleEndian(_bytes.AsSpan(vtable + entry));
        return offset == 0 ? -1 : table + offset;
    }

    /// <summary>The position of a vector field's count (its elements follow), or -1 when absent.</summary>
    public int Vector(int table, int field) => Field(table, field) is var at and >= 0 ? Target(at) : -1;

    public int Count(int vector) => BinaryPrimitives.ReadInt32LittleEndian(_bytes.AsSpan(vector));

    /// <summary>The tables of a vector-of-tables field.</summary>
    public int[] Tables(int table, int field)
    {
        int vector = Vector(table, field);
        return Enumerable.Range(0, Count(vector)).Select(i => Target(vector + 4 + 4 * i)).ToArray();
    }

    public int Int32(int at) => BinaryPrimitives.ReadInt32LittleEndian(_bytes.AsSpan(at));

    private int Target(int at) => at + (int)BinaryPrimitives.ReadUInt32LittleEndian(_bytes.AsSpan(at));
}
