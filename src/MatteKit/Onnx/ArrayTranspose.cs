namespace MatteKit.Onnx;

/// <summary>Weights laid out for ONNX at build time: TensorFlow's kernels and constants reordered once, in C#.</summary>
internal static class ArrayTranspose
{
    /// <summary>Reorders a row-major array of shape <paramref name="shape"/> by <paramref name="perm"/> (numpy's transpose).</summary>
    public static float[] Apply(float[] values, int[] shape, int[] perm)
    {
        int rank = shape.Length;
        var strides = new int[rank];
        for (int i = rank - 1, s = 1; i >= 0; s *= shape[i], i--) strides[i] = s;
        var outShape = perm.Select(p => shape[p]).ToArray();
        var result = new float[values.Length];
        var index = new int[rank];
        for (int o = 0; o < result.Length; o++)
        {
            int source = 0;
            for (int d = 0; d < rank; d++) source += index[d] * strides[perm[d]];
            result[o] = values[source];
            for (int d = rank - 1; d >= 0; d--)
            {
                if (++index[d] < outShape[d]) break;
                index[d] = 0;
            }
        }
        return result;
    }
}
