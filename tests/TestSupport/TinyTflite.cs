namespace MatteKit.Tests.TestSupport;

/// <summary>
/// The smallest selfie-shaped TFLite model, written with <see cref="FlatBufferWriter"/>: an RGB input
/// [1, H, W, 3], one 1x1 CONV_2D (kernel [1, 1, 1, 3] of 1/3 each, bias [1] of 0), and a mask [1, H, W, 1]
/// out. The parameters damage it on purpose, as a hostile file would.
/// </summary>
public static class TinyTflite
{
    private const byte Conv2D = 3, Conv2DOptions = 1, ValidPadding = 1;

    /// <param name="kernelShape">The kernel tensor's shape; its data has as many float32 values.</param>
    /// <param name="operatorOutputs">The tensors the operator writes (3 is the model's output).</param>
    public static byte[] Build(int height, int width, int[]? kernelShape = null, int[]? operatorOutputs = null, int stride = 1)
    {
        kernelShape ??= [1, 1, 1, 3];
        int kernelCount = kernelShape.Aggregate(1, (a, b) => a * b);
        var kernel = Enumerable.Repeat(1f / 3, kernelCount).SelectMany(BitConverter.GetBytes).ToArray();
        var bias = BitConverter.GetBytes(0f);

        static Dictionary<int, object> Tensor(string name, int[] shape, int buffer)
            => new() { [0] = shape, [1] = (byte)0, [2] = buffer, [3] = name };

        var op = new Dictionary<int, object>
        {
            [0] = 0,
            [1] = new[] { 0, 1, 2 },
            [2] = operatorOutputs ?? [3],
            [3] = Conv2DOptions,
            [4] = new Dictionary<int, object> { [0] = ValidPadding, [1] = stride, [2] = stride },
        };
        var subgraph = new Dictionary<int, object>
        {
            [0] = new[] { Tensor("image", [1, height, width, 3], 0), Tensor("kernel", kernelShape, 1), Tensor("bias", [1], 2), Tensor("mask", [1, height, width, 1], 0) },
            [1] = new[] { 0 },
            [2] = new[] { 3 },
            [3] = new[] { op },
        };
        var model = new Dictionary<int, object>
        {
            [0] = 3,
            [1] = new[] { new Dictionary<int, object> { [0] = Conv2D, [3] = (int)Conv2D } },
            [2] = new[] { subgraph },
            [4] = new[] { new Dictionary<int, object>(), new() { [0] = kernel }, new Dictionary<int, object> { [0] = bias } },
        };
        return FlatBufferWriter.Write(model);
    }
}
