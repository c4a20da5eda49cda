using System.Buffers.Binary;

namespace MatteKit.Weights;

/// <summary>
/// The element type of a PyTorch storage, named after the storage class the pickle refers to
/// (<c>torch.FloatStorage</c> = float32, ...). Storage bytes are little-endian. Only the types a weights file
/// plausibly holds can be converted to float; the rest are known so that the error names them.
/// </summary>
internal sealed class TorchDType
{
    private delegate float Reader(ReadOnlySpan<byte> bytes);

    private readonly Reader? _read;

    private TorchDType(string name, int size, Reader? read)
    {
        Name = name;
        Size = size;
        _read = read;
    }

    /// <summary>The PyTorch dtype name, e.g. <c>float32</c>.</summary>
    public string Name { get; }

    /// <summary>Bytes per element.</summary>
    public int Size { get; }

    /// <summary>Whether <see cref="ToFloat"/> can convert elements of this type.</summary>
    public bool IsConvertible => _read != null;

    public static readonly TorchDType Float32 = new("float32", 4, b => BinaryPrimitives.ReadSingleLittleEndian(b));
    public static readonly TorchDType Float64 = new("float64", 8, b => (float)BinaryPrimitives.ReadDoubleLittleEndian(b));
    public static readonly TorchDType Float16 = new("float16", 2, b => (float)BinaryPrimitives.ReadHalfLittleEndian(b));
    public static readonly TorchDType BFloat16 = new("bfloat16", 2,
        b => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(b) << 16));
    public static readonly TorchDType Int64 = new("int64", 8, b => BinaryPrimitives.ReadInt64LittleEndian(b));
    public static readonly TorchDType Int32 = new("int32", 4, b => BinaryPrimitives.ReadInt32LittleEndian(b));

    private static readonly Dictionary<string, TorchDType> ByStorageClass = new(StringComparer.Ordinal)
    {
        ["FloatStorage"] = Float32,
        ["DoubleStorage"] = Float64,
        ["HalfStorage"] = Float16,
        ["BFloat16Storage"] = BFloat16,
        ["LongStorage"] = Int64,
        ["IntStorage"] = Int32,
        ["ShortStorage"] = new("int16", 2, null),
        ["CharStorage"] = new("int8", 1, null),
        ["ByteStorage"] = new("uint8", 1, null),
        ["BoolStorage"] = new("bool", 1, null),
        ["ComplexFloatStorage"] = new("complex64", 8, null),
        ["ComplexDoubleStorage"] = new("complex128", 16, null),
        ["QInt8Storage"] = new("qint8", 1, null),
        ["QUInt8Storage"] = new("quint8", 1, null),
        ["QInt32Storage"] = new("qint32", 4, null),
        ["QUInt4x2Storage"] = new("quint4x2", 1, null),
        ["QUInt2x4Storage"] = new("quint2x4", 1, null),
        // An untyped storage holds bytes; a tensor on one is read as uint8, which we do not convert.
        ["UntypedStorage"] = new("uint8 (untyped storage)", 1, null),
    };

    /// <summary>
    /// The dtype of the storage class <paramref name="global"/> (<c>torch.FloatStorage</c>,
    /// <c>torch.cuda.FloatStorage</c>, <c>torch.storage.UntypedStorage</c>, ...), or null when it is not one.
    /// </summary>
    public static TorchDType? FromStorageClass(PickleGlobal global)
    {
        if (global.Module is not ("torch" or "torch.cuda" or "torch.storage"))
            return null;
        if (global.Module == "torch.storage" && global.Name != "UntypedStorage")
            return null;
        return ByStorageClass.GetValueOrDefault(global.Name);
    }

    /// <summary>Converts the element starting at <paramref name="bytes"/>[0] (at least <see cref="Size"/> bytes).</summary>
    public float ToFloat(ReadOnlySpan<byte> bytes) =>
        _read != null ? _read(bytes) : throw new InvalidOperationException($"dtype {Name} is not convertible");

    public override string ToString() => Name;
}
