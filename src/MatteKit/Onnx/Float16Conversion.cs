using Google.Protobuf;
using MatteKit.Onnx.Protobuf;
using DataType = MatteKit.Onnx.Protobuf.TensorProto.Types.DataType;

namespace MatteKit.Onnx;

/// <summary>
/// Turns a float32 model into a float16 one: weights, constants, activations, graph inputs and outputs. Resize
/// scales stay float32 (ONNX defines them so); int64 tensors are untouched.
/// </summary>
internal static class Float16Conversion
{
    public static void Apply(ModelProto model)
    {
        var graph = model.Graph;
        var keepFloat = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
            if (node.OpType == "Resize" && node.Input.Count >= 3 && node.Input[2].Length > 0) keepFloat.Add(node.Input[2]);

        foreach (var t in graph.Initializer)
            if (t.DataType == (int)DataType.Float && !keepFloat.Contains(t.Name)) ToHalf(t);
        foreach (var node in graph.Node)
            if (node.OpType == "Cast")
                foreach (var a in node.Attribute)
                    if (a.Name == "to" && a.I == (long)DataType.Float) a.I = (long)DataType.Float16;
        foreach (var v in graph.Input.Concat(graph.Output).Concat(graph.ValueInfo))
            if (v.Type?.TensorType is { } tt && tt.ElemType == (int)DataType.Float) tt.ElemType = (int)DataType.Float16;
    }

    private static void ToHalf(TensorProto t)
    {
        float[] values;
        if (t.FloatData.Count > 0) values = t.FloatData.ToArray();
        else
        {
            var raw = t.RawData.Span;
            values = new float[raw.Length / 4];
            System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(raw).CopyTo(values);
        }
        var bytes = new byte[values.Length * 2];
        for (int i = 0; i < values.Length; i++)
            BitConverter.TryWriteBytes(bytes.AsSpan(2 * i), BitConverter.HalfToUInt16Bits((Half)values[i]));
        t.FloatData.Clear();
        t.RawData = ByteString.CopyFrom(bytes);
        t.DataType = (int)DataType.Float16;
    }
}
