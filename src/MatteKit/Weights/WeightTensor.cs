namespace MatteKit.Weights;

/// <summary>One named float32 tensor of a network, in PyTorch layout (conv kernels OIHW).</summary>
internal sealed class WeightTensor
{
    public WeightTensor(string name, int[] shape, float[] data)
    {
        long count = 1;
        foreach (var d in shape) count *= d;
        if (count != data.Length)
            throw new ArgumentException($"tensor '{name}': shape [{string.Join(",", shape)}] needs {count} values, got {data.Length}");
        Name = name;
        Shape = shape;
        Data = data;
    }

    public string Name { get; }
    public int[] Shape { get; }
    public float[] Data { get; }

    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}
