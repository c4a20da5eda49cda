using System.Buffers.Binary;
using System.Text;

namespace MatteKit.Tests.TestSupport;

/// <summary>
/// Writes a FlatBuffers buffer from a tree of tables, for crafting small (and damaged) <c>.tflite</c> files in tests.
/// A table is a map from field number to value: <see cref="int"/> (int32), <see cref="byte"/> (uint8), a nested
/// table, <c>int[]</c>, <c>byte[]</c>, <see cref="string"/> or <c>Dictionary[]</c> (a vector of tables). Every
/// child is laid out after its parent, so each unsigned offset points forward, as the format requires.
/// </summary>
public static class FlatBufferWriter
{
    public static byte[] Write(Dictionary<int, object> root, string identifier = "TFL3")
    {
        var buffer = new List<byte>(new byte[4]);
        buffer.AddRange(Encoding.ASCII.GetBytes(identifier));
        Patch(buffer, 0, WriteTable(buffer, root));
        return buffer.ToArray();
    }

    private static int WriteTable(List<byte> buffer, Dictionary<int, object> table)
    {
        var fields = table.OrderBy(f => f.Key).ToList();
        int slots = fields.Count == 0 ? 0 : fields[^1].Key + 1;
        Align(buffer);
        int vtable = buffer.Count;
        Append16(buffer, 4 + 2 * slots);
        Append16(buffer, 4 + 4 * fields.Count);
        for (int f = 0; f < slots; f++)
        {
            int at = fields.FindIndex(x => x.Key == f);
            Append16(buffer, at < 0 ? 0 : 4 + 4 * at);
        }
        Align(buffer);
        int start = buffer.Count;
        Append32(buffer, start - vtable);
        var children = new List<(int Slot, object Value)>();
        foreach (var (_, value) in fields)
        {
            int slot = buffer.Count;
            switch (value)
            {
                case int i: Append32(buffer, i); break;
                case byte b: buffer.AddRange(new byte[] { b, 0, 0, 0 }); break;
                default: Append32(buffer, 0); children.Add((slot, value)); break;
            }
        }
        foreach (var (slot, value) in children) Patch(buffer, slot, WriteChild(buffer, value));
        return start;
    }

    private static int WriteChild(List<byte> buffer, object value)
    {
        Align(buffer);
        int start = buffer.Count;
        switch (value)
        {
            case Dictionary<int, object> table:
                return WriteTable(buffer, table);
            case int[] ints:
                Append32(buffer, ints.Length);
                foreach (int i in ints) Append32(buffer, i);
                return start;
            case byte[] bytes:
                Append32(buffer, bytes.Length);
                buffer.AddRange(bytes);
                return start;
            case string text:
                var utf8 = Encoding.UTF8.GetBytes(text);
                Append32(buffer, utf8.Length);
                buffer.AddRange(utf8);
                buffer.Add(0);
                return start;
            case Dictionary<int, object>[] tables:
                Append32(buffer, tables.Length);
                int slots = buffer.Count;
                foreach (var _ in tables) Append32(buffer, 0);
                for (int i = 0; i < tables.Length; i++) Patch(buffer, slots + 4 * i, WriteTable(buffer, tables[i]));
                return start;
            default:
                throw new ArgumentException($"no FlatBuffers layout for {value.GetType()}");
        }
    }

    /// <summary>Stores at <paramref name="slot"/> the unsigned offset from there to <paramref name="target"/>.</summary>
    private static void Patch(List<byte> buffer, int slot, int target)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, target - slot);
        for (int i = 0; i < 4; i++) buffer[slot + i] = bytes[i];
    }

    private static void Align(List<byte> buffer)
    {
        while (buffer.Count % 4 != 0) buffer.Add(0);
    }

    private static void Append16(List<byte> buffer, int value) => buffer.AddRange(BitConverter.GetBytes((ushort)value));

    private static void Append32(List<byte> buffer, int value) => buffer.AddRange(BitConverter.GetBytes(value));
}
