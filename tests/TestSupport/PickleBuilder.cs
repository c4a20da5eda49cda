using System.Buffers.Binary;
using System.Text;

namespace MatteKit.Tests.TestSupport;

/// <summary>
/// Test-only writer of pickle opcodes, one method per opcode (protocol 2 unless a test asks otherwise), used by
/// <see cref="PthWriter"/> and by tests that craft hostile or broken pickles.
/// </summary>
public sealed class PickleBuilder
{
    private readonly MemoryStream _out = new();

    public PickleBuilder Proto(byte version = 2) => Op(0x80).Byte(version);
    public PickleBuilder Stop() => Op((byte)'.');
    public PickleBuilder Mark() => Op((byte)'(');
    public PickleBuilder EmptyDict() => Op((byte)'}');
    public PickleBuilder EmptyList() => Op((byte)']');
    public PickleBuilder EmptyTuple() => Op((byte)')');
    public PickleBuilder Tuple() => Op((byte)'t');
    public PickleBuilder Tuple1() => Op(0x85);
    public PickleBuilder Tuple2() => Op(0x86);
    public PickleBuilder Tuple3() => Op(0x87);
    public PickleBuilder None() => Op((byte)'N');
    public PickleBuilder Bool(bool v) => Op(v ? (byte)0x88 : (byte)0x89);
    public PickleBuilder Reduce() => Op((byte)'R');
    public PickleBuilder Build() => Op((byte)'b');
    public PickleBuilder SetItem() => Op((byte)'s');
    public PickleBuilder SetItems() => Op((byte)'u');
    public PickleBuilder Append() => Op((byte)'a');
    public PickleBuilder Appends() => Op((byte)'e');
    public PickleBuilder BinPersId() => Op((byte)'Q');
    public PickleBuilder BinPut(byte i) => Op((byte)'q').Byte(i);
    public PickleBuilder BinGet(byte i) => Op((byte)'h').Byte(i);

    /// <summary>GLOBAL: <c>c module\nname\n</c>.</summary>
    public PickleBuilder Global(string module, string name) =>
        Op((byte)'c').Raw(Encoding.UTF8.GetBytes(module + "\n" + name + "\n"));

    /// <summary>BINUNICODE: length-prefixed UTF-8 string.</summary>
    public PickleBuilder String(string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        Op((byte)'X');
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(len, bytes.Length);
        return Raw(len.ToArray()).Raw(bytes);
    }

    /// <summary>The smallest of BININT1, BININT2, BININT or LONG1 that holds <paramref name="v"/>.</summary>
    public PickleBuilder Int(long v)
    {
        if (v is >= 0 and <= 0xff) return Op((byte)'K').Byte((byte)v);
        if (v is >= 0 and <= 0xffff) return Op((byte)'M').Byte((byte)v).Byte((byte)(v >> 8));
        if (v is >= int.MinValue and <= int.MaxValue)
        {
            var b = new byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(b, (int)v);
            return Op((byte)'J').Raw(b);
        }
        var l = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(l, v);
        return Op(0x8a).Byte(8).Raw(l);
    }

    /// <summary>A tuple of integers (EMPTY_TUPLE for none, else MARK ... TUPLE).</summary>
    public PickleBuilder IntTuple(IEnumerable<long> values)
    {
        var list = values.ToList();
        if (list.Count == 0) return EmptyTuple();
        Mark();
        foreach (var v in list) Int(v);
        return Tuple();
    }

    /// <summary>Any opcode byte, for opcodes without a method (and for hostile input).</summary>
    public PickleBuilder Op(byte opcode) => Byte(opcode);

    public PickleBuilder Raw(byte[] bytes)
    {
        _out.Write(bytes);
        return this;
    }

    private PickleBuilder Byte(byte b)
    {
        _out.WriteByte(b);
        return this;
    }

    public byte[] ToArray() => _out.ToArray();
}
