namespace MatteKit.Weights;

/// <summary>
/// A tensor of a TFLite subgraph: NHWC shape as stored, element type, and its constant bytes (empty for values the
/// graph computes). The reader has bounded its rank and element count (<see cref="TfliteModel.MaxTensorElements"/>)
/// and made its name printable.
/// </summary>
internal sealed record TfliteTensor(int Index, string Name, int[] Shape, TfliteType Type, ReadOnlyMemory<byte> Data)
{
    public bool IsConstant => !Data.IsEmpty;

    public int Rank => Shape.Length;

    public long ElementCount => Shape.Aggregate(1L, (a, b) => checked(a * b));

    public override string ToString() => $"'{Name}' [{string.Join("x", Shape)}] {Type}";
}
