namespace MatteKit.Weights;

/// <summary>
/// One tensor of a TF.js weights manifest as stored (TF layout, full TF.js name). <see cref="Data"/> holds the
/// (dequantized) values of float32 tensors; it is null for the graph's non-float constants (int32, bool, ...).
/// <see cref="Ints"/> holds unquantized int32 values (sizes, axes), null otherwise.
/// </summary>
internal sealed record TfjsTensor(string Name, int[] Shape, string Dtype, float[]? Data, int[]? Ints = null)
{
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}
