using MatteKit.Onnx;

namespace MatteKit.Layers;

/// <summary>
/// A Conv2d, optionally followed by an eval-mode BatchNorm2d that is folded into its kernel and bias
/// (<c>w * gamma / sqrt(var + eps)</c>, <c>beta - mean * gamma / sqrt(var + eps)</c>), so the graph runs one Conv.
/// </summary>
internal sealed class ConvLayer
{
    private readonly string _name;
    private readonly float[] _weight;
    private readonly int[] _shape;
    private readonly float[]? _bias;
    private readonly int _zeroInputChannels;

    internal ConvLayer(string name, float[] weight, int[] shape, float[]? bias, int zeroInputChannels = 0)
    {
        _zeroInputChannels = zeroInputChannels;
        _name = name;
        _weight = weight;
        _shape = shape;
        _bias = bias;
    }

    public int OutChannels => _shape[0];

    /// <summary>The key the weights came from (initializers are shared by it).</summary>
    internal string Name => _name;

    /// <summary>OIHW weights, batch norm folded in.</summary>
    internal float[] Weight => _weight;

    internal int[] Shape => _shape;

    internal float[]? Bias => _bias;

    public int KernelSize => _shape[2];

    /// <summary><c>{key}.weight</c> [out, in/groups, k, k] and, if <paramref name="hasBias"/>, <c>{key}.bias</c>.</summary>
    public static ConvLayer Load(WeightSet w, string key, int outChannels, int inChannelsPerGroup, int kernel, bool hasBias = true)
    {
        var weight = w.Get(key + ".weight", outChannels, inChannelsPerGroup, kernel, kernel);
        var bias = hasBias ? w.Get(key + ".bias", outChannels).Data : null;
        return new ConvLayer(key, weight.Data, weight.Shape, bias);
    }

    /// <summary>A bias-free conv <c>{convKey}.weight</c> followed by batch norm <c>{bnKey}.*</c>, folded.</summary>
    public static ConvLayer LoadWithBatchNorm(WeightSet w, string convKey, string bnKey, float eps,
        int outChannels, int inChannelsPerGroup, int kernel)
    {
        var weight = w.Get(convKey + ".weight", outChannels, inChannelsPerGroup, kernel, kernel);
        var gamma = w.Get(bnKey + ".weight", outChannels).Data;
        var beta = w.Get(bnKey + ".bias", outChannels).Data;
        var mean = w.Get(bnKey + ".running_mean", outChannels).Data;
        var variance = w.Get(bnKey + ".running_var", outChannels).Data;

        var folded = new float[weight.Data.Length];
        var bias = new float[outChannels];
        int perOut = folded.Length / outChannels;
        for (int o = 0; o < outChannels; o++)
        {
            float scale = gamma[o] / MathF.Sqrt(variance[o] + eps);
            for (int i = 0; i < perOut; i++) folded[o * perOut + i] = weight.Data[o * perOut + i] * scale;
            bias[o] = beta[o] - mean[o] * scale;
        }
        return new ConvLayer(convKey, folded, weight.Shape, bias);
    }

    /// <summary>
    /// Emits the conv with symmetric zero padding <paramref name="padding"/>, by default <c>(k - 1) / 2 * dilation</c>
    /// as every RVM conv uses (BGMv2's refiner runs its convs unpadded: padding 0).
    /// </summary>
    public GraphValue Forward(GraphBuilder g, GraphValue x, int stride = 1, int dilation = 1, int groups = 1, int? padding = null)
    {
        int pad = padding ?? (KernelSize - 1) / 2 * dilation;
        if (g.InInt8Region)
            return g.QuantizedConv(x, _weight, _shape, _bias, (stride, stride), (pad, pad), dilation, groups, _shape[1] - _zeroInputChannels);
        var weight = g.SharedInitializer(_name + ".weight", _weight, _shape.Select(d => (long)d).ToArray());
        var bias = _bias is null ? null : g.SharedInitializer(_name + ".bias", _bias, _bias.Length);
        return g.Conv(x, weight, bias, (stride, stride), (pad, pad), dilation, groups, _shape[1] - _zeroInputChannels);
    }
}
