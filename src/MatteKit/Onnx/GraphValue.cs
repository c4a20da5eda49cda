using MatteKit.Onnx.Protobuf;

namespace MatteKit.Onnx;

/// <summary>A named value of the graph under construction, with the static shape the builder worked out for it.</summary>
internal sealed record GraphValue(string Name, long[] Shape, TensorProto.Types.DataType ElementType)
{
    public int Rank => Shape.Length;

    /// <summary>Size of dimension <paramref name="axis"/>; negative axes count from the end.</summary>
    public long Dim(int axis) => Shape[axis < 0 ? Shape.Length + axis : axis];

    public override string ToString() => $"{Name}[{string.Join("x", Shape)}]";
}
