using MatteKit.Layers;
using MatteKit.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit.Abstractions;
using DataType = MatteKit.Onnx.Protobuf.TensorProto.Types.DataType;

namespace MatteKit.Tests.Layers;

/// <summary>
/// Each layout trick of <see cref="BlockedLayout"/> and <see cref="ConcatConv"/> against the plain operation it stands
/// for, run by ONNX Runtime with all optimisations (so in the blocked layout where ORT chooses it), at aligned and odd
/// channel counts. The network tests cover them only inside whole graphs.
/// </summary>
public sealed class BlockedLayoutTests
{
    private const int H = 5, W = 7;
    private readonly ITestOutputHelper _log;

    public BlockedLayoutTests(ITestOutputHelper log) => _log = log;

    [Theory]
    [InlineData(32)]   // halves of 16: one-hot 1x1 convs
    [InlineData(34)]   // halves of 17: a plain split
    [InlineData(6)]
    public void SplitHalvesEqualsSplit(int channels)
    {
        var x = Random(channels, 1);
        var (trick, plain) = RunBoth(channels, (g, v) =>
        {
            var (a, b) = BlockedLayout.SplitHalves(g, v);
            return g.Concat(1, b, a);
        }, (g, v) =>
        {
            var parts = g.Split(v, 1, channels / 2, channels / 2);
            return g.Concat(1, parts[1], parts[0]);
        }, x);
        AssertClose(plain, trick, 0, $"halves of {channels}");
    }

    [Theory]
    [InlineData(16, 3, 5)]
    [InlineData(17, 0, 17)]
    [InlineData(9, 4, 5)]
    public void SelectEqualsASlice(int channels, int start, int count)
    {
        var x = Random(channels, 2);
        var (trick, plain) = RunBoth(channels, (g, v) => BlockedLayout.Select(g, v, start, count, -1f),
            (g, v) =>
            {
                var sizes = new List<long>();
                if (start > 0) sizes.Add(start);
                sizes.Add(count);
                if (channels - start - count > 0) sizes.Add(channels - start - count);
                var parts = g.Split(v, 1, sizes.ToArray());
                return g.Mul(parts[start > 0 ? 1 : 0], g.Constant(-1f));
            }, x);
        AssertClose(plain, trick, 0, $"channels [{start}, {start + count}) of {channels}, negated");
    }

    [Theory]
    [InlineData(16)]   // h + z (c - h) with a negating conv
    [InlineData(13)]   // (1 - z) h + z c
    public void BlendEqualsTheGruUpdate(int channels)
    {
        // One input of 3C channels holds h, z (in 0..1) and c.
        var x = Random(3 * channels, 3);
        for (int i = channels * H * W; i < 2 * channels * H * W; i++) x[i] = MathF.Abs(x[i]) % 1f;
        var (trick, plain) = RunBoth(3 * channels, (g, v) =>
        {
            var p = g.Split(v, 1, channels, channels, channels);
            return BlockedLayout.Blend(g, BlockedLayout.EnterState(g, p[0]), p[1], p[2]);
        }, (g, v) =>
        {
            var p = g.Split(v, 1, channels, channels, channels);
            return g.Add(g.Mul(g.Sub(g.Constant(1f), p[1]), p[0]), g.Mul(p[1], p[2]));
        }, x);
        AssertClose(plain, trick, 1e-6, $"GRU blend over {channels} channels");
    }

    [Theory]
    [InlineData(new[] { 16, 3 })]      // split conv: conv_a(a) + conv_b(b)
    [InlineData(new[] { 7, 5, 3 })]    // padded to 16 channels
    [InlineData(new[] { 32, 16, 3 })]  // padded to 64
    [InlineData(new[] { 16, 16 })]     // split, no padding needed either way
    public void ConcatConvEqualsAConvOverTheConcatenation(int[] parts)
    {
        int total = parts.Sum(), outChannels = 6;
        var rng = new System.Random(4);
        var weight = Enumerable.Range(0, outChannels * total * 9).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        var bias = Enumerable.Range(0, outChannels).Select(_ => (float)rng.NextDouble()).ToArray();
        var conv = new ConvLayer("test.conv", weight, new[] { outChannels, total, 3, 3 }, bias);
        var concatConv = new ConcatConv(conv, parts);
        var x = Random(total, 5);
        var (trick, plain) = RunBoth(total, (g, v) => concatConv.Forward(g, g.Split(v, 1, parts.Select(p => (long)p).ToArray())),
            (g, v) => conv.Forward(g, g.Concat(1, g.Split(v, 1, parts.Select(p => (long)p).ToArray()))), x);
        // Padding and splitting change the order of the sums (float noise, ~1e-6 of values around 3).
        AssertClose(plain, trick, 1e-5, $"conv over [{string.Join(", ", parts)}]");
    }

    private (float[] Trick, float[] Plain) RunBoth(int channels, Func<GraphBuilder, GraphValue, GraphValue> trick,
        Func<GraphBuilder, GraphValue, GraphValue> plain, float[] input)
        => (Run(channels, trick, input), Run(channels, plain, input));

    private static float[] Run(int channels, Func<GraphBuilder, GraphValue, GraphValue> build, float[] input)
    {
        var g = new GraphBuilder("test");
        var x = g.Input("x", DataType.Float, 1, channels, H, W);
        // A conv first, so that ONNX Runtime has a reason to put the tensors in its blocked layout.
        var identity = new float[channels * channels];
        for (int c = 0; c < channels; c++) identity[c * channels + c] = 1f;
        var entered = g.Conv(x, g.Constant(identity, channels, channels, 1, 1), null, (1, 1), (0, 0));
        g.Output(build(g, entered), "y");
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        using var session = new InferenceSession(g.ToBytes(), options);
        using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor("x", new DenseTensor<float>(input, new[] { 1, channels, H, W })) });
        return results.First().AsEnumerable<float>().ToArray();
    }

    private static float[] Random(int channels, int seed)
    {
        var rng = new System.Random(seed);
        return Enumerable.Range(0, channels * H * W).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
    }

    private void AssertClose(float[] expected, float[] actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double max = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        _log.WriteLine($"{what}: largest difference {max:G3} over {expected.Length} values");
        Assert.True(max <= tolerance, $"{what}: differs by {max}");
    }
}
